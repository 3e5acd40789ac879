/**
 * Independent references for the server tests: the committed ONNX model run by onnxruntime-node (not
 * through the app's code) and the model folder's tokenizer through transformers.js.
 */
import * as ort from 'onnxruntime-node';
import { AutoTokenizer, env, type PreTrainedTokenizer } from '@huggingface/transformers';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface OnnxModel {
  config: { vocab_size: number; n_layer: number; n_head: number; n_embd: number };
  /** Log-softmax (float64) of the last position's logits after `ids`. */
  lastLogprobs(ids: readonly number[]): Promise<Float64Array>;
  release(): Promise<void>;
}

/** Loads `<folder>/onnx/model.onnx` (folder relative to the repository root). */
export async function loadOnnx(folder: string): Promise<OnnxModel> {
  const config = JSON.parse(readFileSync(`${ROOT}${folder}/config.json`, 'utf8'));
  const session = await ort.InferenceSession.create(`${ROOT}${folder}/onnx/model.onnx`, { intraOpNumThreads: 1 });
  const headDim = config.n_embd / config.n_head;
  return {
    config,
    async lastLogprobs(ids) {
      const T = ids.length;
      const feeds: Record<string, ort.Tensor> = {
        input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, T]),
        attention_mask: new ort.Tensor('int64', new BigInt64Array(T).fill(1n), [1, T]),
        position_ids: new ort.Tensor('int64', BigInt64Array.from({ length: T }, (_, i) => BigInt(i)), [1, T]),
      };
      for (let l = 0; l < config.n_layer; l++) {
        for (const kv of ['key', 'value']) {
          feeds[`past_key_values.${l}.${kv}`] = new ort.Tensor('float32', new Float32Array(0), [1, config.n_head, 0, headDim]);
        }
      }
      const out = await session.run(feeds);
      const logits = out.logits.data as Float32Array;
      const V = config.vocab_size;
      const last = logits.subarray((T - 1) * V, T * V);
      let max = -Infinity;
      for (const x of last) max = Math.max(max, x);
      let sum = 0;
      for (const x of last) sum += Math.exp(x - max);
      const lse = max + Math.log(sum);
      return Float64Array.from(last, (x) => x - lse);
    },
    release: () => session.release(),
  };
}

/** The folder's tokenizer through transformers.js (local files only). */
export async function loadTokenizer(folder: string): Promise<PreTrainedTokenizer> {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  const parts = folder.split('/');
  env.localModelPath = `${ROOT}${parts.slice(0, -1).join('/')}/`;
  return AutoTokenizer.from_pretrained(parts[parts.length - 1]);
}

/** Each id's bytes from tokenizer.json (GPT-2 byte-level alphabet decoded; added tokens as UTF-8). */
export function vocabularyBytes(folder: string): Uint8Array[] {
  const tok = JSON.parse(readFileSync(`${ROOT}${folder}/tokenizer.json`, 'utf8'));
  // GPT-2 bytes_to_unicode inverse
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const cs = bs.slice();
  let n = 0;
  for (let b = 0; b < 256; b++) if (!bs.includes(b)) { bs.push(b); cs.push(256 + n); n++; }
  const toByte = new Map<string, number>(cs.map((c, i) => [String.fromCodePoint(c), bs[i]]));
  const out: Uint8Array[] = [];
  for (const [piece, id] of Object.entries(tok.model.vocab as Record<string, number>)) {
    out[id] = Uint8Array.from(Array.from(piece, (ch) => {
      const b = toByte.get(ch);
      if (b === undefined) throw new Error(`not a byte-level piece: ${piece}`);
      return b;
    }));
  }
  for (const added of tok.added_tokens as { id: number; content: string }[]) out[added.id] = new TextEncoder().encode(added.content);
  return out;
}
