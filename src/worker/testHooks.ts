/**
 * Benchmark hooks (npm run bench), loaded by the dispatcher only when a benchmark request arrives, so
 * no production bundle carries them: the floors the app's own work is compared with — a raw ONNX
 * Runtime decode on a node's KV snapshot, transformers.js `generate()`, and one pass of Math.exp
 * against the step math (benchMath).
 */
import { Tensor } from '@huggingface/transformers';
import { benchMath } from '../engine/benchMath.ts';
import { EngineError } from '../engine/errors.ts';
import type { Decoder } from '../decoder/decoder.ts';
import { int64Tensor, OrtBackend, type OrtTensor } from './ortBackend.ts';
import type { WorkerRequest, WorkerResponse } from './protocol.ts';

type BenchRequest = Extract<WorkerRequest, { type: 'bench-raw-decode' | 'bench-generate' | 'bench-math' | 'bench-mask' }>;

function ortOf(decoder: Decoder | null): { decoder: Decoder; backend: OrtBackend } {
  if (!decoder) throw new EngineError('model-load', 'no model is loaded');
  if (!(decoder.backend instanceof OrtBackend)) throw new EngineError('unknown', 'benchmarks need the ONNX Runtime backend');
  return { decoder, backend: decoder.backend };
}

/**
 * `reps` raw ONNX Runtime runs of one decode token on the node's KV snapshot, repeated `batch` times as the
 * rows of one batch (copied once, before timing), in ms: inputs built, session.run, outputs disposed. Nothing
 * is cached or recorded.
 */
async function benchRawDecode(decoder: Decoder, backend: OrtBackend, path: number[], ids: number[], reps: number, batch = 1): Promise<number[]> {
  return decoder.exclusive(async () => {
    const snap = await decoder.snapshotAt(path, ids);
    const { past, rows } = backend.pastOf(snap);
    if (rows !== 1) throw new EngineError('unknown', 'the node snapshot is not a single row');
    const feedsPast: Record<string, OrtTensor> = {};
    const copies: OrtTensor[] = [];
    for (const n of backend.kvInputs) {
      if (batch === 1) {
        feedsPast[n] = past[n];
        continue;
      }
      const t = past[n];
      const data = (t.location === 'cpu' || t.location === 'cpu-pinned' ? t.data : await t.getData()) as Float32Array | Uint16Array;
      const buf = new (data.constructor as Float32ArrayConstructor)(data.length * batch);
      for (let b = 0; b < batch; b++) buf.set(data, b * data.length);
      feedsPast[n] = new Tensor(t.type as 'float32', buf, [batch, ...t.dims.slice(1)]).ort_tensor as OrtTensor;
      copies.push(feedsPast[n]);
    }
    const out: number[] = [];
    try {
      for (let r = 0; r < reps; r++) {
        const t0 = performance.now();
        const feeds: Record<string, OrtTensor> = { input_ids: int64Tensor(new Array(batch).fill(ids[ids.length - 1]), [batch, 1]) };
        const names = backend.session.inputNames;
        if (names.includes('attention_mask')) feeds['attention_mask'] = int64Tensor(new Array(batch * (ids.length + 1)).fill(1), [batch, ids.length + 1]);
        if (names.includes('position_ids')) feeds['position_ids'] = int64Tensor(new Array(batch).fill(ids.length), [batch, 1]);
        Object.assign(feeds, feedsPast);
        backend.countForward();
        // the outputs a step fetches with the attention view closed (a graph's optional attention/lens outputs left out, issue #20)
        const plain = backend.session.outputNames.filter((n) => n === 'logits' || n.startsWith('present'));
        const res = plain.length < backend.session.outputNames.length ? await backend.session.run(feeds, plain) : await backend.session.run(feeds);
        const logits = res['logits'];
        if (logits.location !== 'cpu') await logits.getData();
        for (const t of Object.values(res)) t.dispose();
        for (const [k, t] of Object.entries(feeds)) if (!k.startsWith('past_key_values')) t.dispose();
        out.push(performance.now() - t0);
      }
    } finally {
      for (const t of copies) t.dispose();
    }
    return out;
  });
}

/** transformers.js `generate()` greedy for `maxNewTokens` tokens, total ms. */
async function benchGenerate(decoder: Decoder, backend: OrtBackend, ids: number[], maxNewTokens: number): Promise<number> {
  return decoder.exclusive(async () => {
    const inputIds = new Tensor('int64', BigInt64Array.from(ids, (v) => BigInt(v)), [1, ids.length]);
    const mask = new Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]);
    const t0 = performance.now();
    const out = (await backend.model.generate({ input_ids: inputIds, attention_mask: mask, max_new_tokens: maxNewTokens, min_new_tokens: maxNewTokens, do_sample: false })) as { dispose?(): void };
    const ms = performance.now() - t0;
    out.dispose?.();
    return ms;
  });
}

/** Answers one benchmark request with its 'bench-result'. */
export async function runBenchmark(msg: BenchRequest, decoder: Decoder | null): Promise<WorkerResponse> {
  switch (msg.type) {
    case 'bench-raw-decode': {
      const o = ortOf(decoder);
      return { type: 'bench-result', id: msg.id, ms: await benchRawDecode(o.decoder, o.backend, msg.path, msg.ids, msg.reps, msg.rows ?? 1) };
    }
    case 'bench-generate': {
      const o = ortOf(decoder);
      return { type: 'bench-result', id: msg.id, ms: [await benchGenerate(o.decoder, o.backend, msg.ids, msg.maxNewTokens)] };
    }
    case 'bench-math': {
      const r = benchMath(msg.vocabSize, msg.reps, () => performance.now());
      return { type: 'bench-result', id: msg.id, ms: r.ms, floorMs: r.floorMs };
    }
    case 'bench-mask': {
      const { benchMask, benchWorstWalk, syntheticVocab } = await import('../engine/constraint/benchMask.ts');
      const vocab = syntheticVocab(msg.vocabSize);
      if (msg.mode === 'worst') {
        const r = benchWorstWalk(vocab, '{"name":"', msg.steps, () => performance.now());
        return { type: 'bench-result', id: msg.id, ms: r.walkMs, floorMs: r.mathMs };
      }
      const r = benchMask(vocab, msg.steps, () => performance.now());
      return { type: 'bench-result', id: msg.id, ms: r.walkMs, floorMs: r.mathMs, applyMs: r.applyMs };
    }
  }
}
