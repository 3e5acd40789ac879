/**
 * P5's computeStep alone, for an instruction count that does not depend on the machine's load:
 *   npx rolldown bench/p5Instructions.ts --file /tmp/p5.mjs --format esm --platform node
 *   valgrind --tool=callgrind node --single-threaded --random-seed=1 --hash-seed=1 /tmp/p5.mjs 5   (then 25)
 * One call = (I(25) − I(5)) ÷ 20 (docs/PERFORMANCE.md).
 */
import { computeStep } from '../src/engine/fastStep.ts';
import { drawUniform } from '../src/engine/random.ts';
import { HF_ORDER } from '../src/engine/settings.ts';
// the P5 input and settings of src/engine/benchMath.ts; REPS computeStep calls
const V = 151936;
const reps = Number(process.argv[2] ?? 5);
const logits = new Float32Array(V);
for (let i = 0; i < V; i++) {
  const u = drawUniform({ seed: 5, depth: i, reroll: 0, stream: 1 });
  const rank = 1 + Math.floor(drawUniform({ seed: 6, depth: i, reroll: 0, stream: 1 }) * V);
  logits[i] = 12 - 1.2 * Math.log(rank) + (u - 0.5);
}
const context = Array.from({ length: 200 }, (_, i) => (i * 7919) % V);
const settings = { temperature: 0.8, topK: 50, topP: 0.9, minP: 0.05, repetitionPenalty: 1.3, order: HF_ORDER };
let sink = 0;
for (let r = 0; r < reps; r++) {
  const { record } = computeStep(logits, context, settings, 50, [], { kind: 'sample', u: drawUniform({ seed: 1, depth: r, reroll: 0, stream: 0 }) });
  sink += record.tokenIds[0];
}
console.log(reps, sink);
