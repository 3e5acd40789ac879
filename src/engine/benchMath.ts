import { computeStep } from './fastStep.ts';
import { drawUniform } from './random.ts';
import { HF_ORDER } from './settings.ts';

/**
 * Benchmark P5: the whole distribution math of one step (repetition penalty 1.3 over 200 context ids,
 * temperature 0.8, top-k 50, top-p 0.9, min-p 0.05, softmax, sampling, top-50 record with every stage,
 * rest masses, entropies) on a realistic peaked logits vector of `vocabSize` entries (Zipf-like
 * ranks plus noise, from a seeded generator), against its floor: one pass of Math.exp over the same
 * vector (into a preallocated buffer). `now` is the clock (ms); the engine has no timer of its own. Returns each repetition's times.
 */
export function benchMath(vocabSize: number, reps: number, now: () => number): { ms: number[]; floorMs: number[] } {
  const logits = new Float32Array(vocabSize);
  for (let i = 0; i < vocabSize; i++) {
    const u = drawUniform({ seed: 5, depth: i, reroll: 0, stream: 1 });
    const rank = 1 + Math.floor(drawUniform({ seed: 6, depth: i, reroll: 0, stream: 1 }) * vocabSize);
    logits[i] = 12 - 1.2 * Math.log(rank) + (u - 0.5);
  }
  const context = Array.from({ length: 200 }, (_, i) => (i * 7919) % vocabSize);
  const settings = { temperature: 0.8, topK: 50, topP: 0.9, minP: 0.05, repetitionPenalty: 1.3, order: HF_ORDER };
  const ms: number[] = [];
  const floorMs: number[] = [];
  // the floor writes into one buffer allocated here: a fresh 1.2 MB array per repetition added
  // allocation to the floor and garbage collections that landed in the measured math
  const buf = new Float64Array(vocabSize);
  let sink = 0;
  for (let r = 0; r < reps; r++) {
    const t0 = now();
    // the path every sampled step takes (decideStep → computeStep)
    const { record: rec } = computeStep(logits, context, settings, 50, [], { kind: 'sample', u: drawUniform({ seed: 1, depth: r, reroll: 0, stream: 0 }) });
    sink += rec.restMass[0];
    ms.push(now() - t0);
    const t1 = now();
    for (let i = 0; i < vocabSize; i++) buf[i] = Math.exp(logits[i]);
    sink += buf[r % vocabSize];
    floorMs.push(now() - t1);
  }
  if (sink === -1) ms.push(0); // keeps the work observable
  return { ms, floorMs };
}
