/**
 * What a decoder graph's inputs say about it, read from ONNX Runtime's input metadata rather than
 * guessed from the dtype's name: the KV cache's element type, and the extra inputs some exports have
 * (Optimum's merged decoder `use_cache_branch`; `num_logits_to_keep` / `logits_to_keep` of newer exports).
 * Pure; the session builds the tensors.
 */

/** The parts of ONNX Runtime's `InferenceSession.inputMetadata` entries we read (onnxruntime-common ≥ 1.21). */
export interface InputMeta {
  name: string;
  isTensor?: boolean;
  type?: string;
}

/**
 * Element type of the `past_key_values.*` inputs.
 * @param meta the session's `inputMetadata` (undefined on runtimes without it)
 * @param dtype the loaded dtype, used only when the metadata is missing (fp16 / q4f16 exports keep float16 caches)
 * @throws Error for a cache type other than float32 / float16
 */
export function kvElementType(meta: readonly InputMeta[] | undefined, dtype: string): 'float32' | 'float16' {
  const past = meta?.find((m) => m.name.startsWith('past_key_values.') && m.type);
  if (!past) return dtype === 'fp16' || dtype === 'q4f16' ? 'float16' : 'float32';
  if (past.type === 'float32' || past.type === 'float16') return past.type;
  throw new Error(`unsupported KV cache type ${past.type} (${past.name})`);
}

/** One extra feed: a scalar or [1] tensor. */
export interface ExtraFeed {
  name: string;
  type: 'bool' | 'int64';
  value: boolean | number;
  dims: number[];
}

/**
 * Feeds for the optional inputs a graph declares.
 * - `use_cache_branch` (bool [1], Optimum's merged decoder): true when a past is given (pastLength > 0),
 *   as transformers.js `decoder_forward` sets it;
 * - `num_logits_to_keep` / `logits_to_keep` (int64 scalar): 0 keeps the logits of every position
 *   (Hugging Face semantics), which scoring a whole prompt needs.
 */
export function extraFeeds(inputNames: readonly string[], pastLength: number): ExtraFeed[] {
  const out: ExtraFeed[] = [];
  if (inputNames.includes('use_cache_branch')) out.push({ name: 'use_cache_branch', type: 'bool', value: pastLength > 0, dims: [1] });
  for (const n of ['num_logits_to_keep', 'logits_to_keep']) if (inputNames.includes(n)) out.push({ name: n, type: 'int64', value: 0, dims: [] });
  return out;
}
