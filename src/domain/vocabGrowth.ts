/**
 * A vocabulary that grows as a server reports tokens (issue #16: vLLM and Ollama report only the top
 * N tokens per step, and no vocabulary up front). The worker's backend and the UI apply the same
 * additions to their ModelInfo with `withVocabAdditions`, the worker posting them ('vocab' message)
 * before the answer that uses them. Pure.
 */
import type { ModelInfo } from './types.ts';

/** One new vocabulary entry: a token id and its bytes (untrusted server text). */
export interface VocabAddition {
  id: number;
  bytes: Uint8Array;
}

/**
 * A ModelInfo with `additions` applied (ids outside the vocabulary are ignored); the same object
 * when there are none. O(vocabSize) per call.
 */
export function withVocabAdditions(info: ModelInfo, additions: readonly VocabAddition[]): ModelInfo {
  if (additions.length === 0) return info;
  const V = info.vocabSize;
  const added = new Map<number, Uint8Array>();
  for (const a of additions) if (Number.isInteger(a.id) && a.id >= 0 && a.id < V) added.set(a.id, a.bytes);
  const old = info.vocabOffsets;
  let total = info.vocabBytes.length;
  for (const [id, b] of added) total += b.length - (old[id + 1] - old[id]);
  const vocabBytes = new Uint8Array(total);
  const vocabOffsets = new Uint32Array(V + 1);
  const pieces = info.vocabPieces.slice();
  const decoder = new TextDecoder();
  // copy runs of unchanged entries in one go; an added entry replaces its bytes
  const ids = [...added.keys()].sort((a, b) => a - b);
  let o = 0;
  let from = 0;
  const copyRun = (to: number) => {
    if (to <= from) return;
    const shift = o - old[from];
    vocabBytes.set(info.vocabBytes.subarray(old[from], old[to]), o);
    for (let i = from; i <= to; i++) vocabOffsets[i] = old[i] + shift;
    o = vocabOffsets[to];
  };
  for (const id of ids) {
    copyRun(id);
    const b = added.get(id)!;
    vocabOffsets[id] = o;
    vocabBytes.set(b, o);
    o += b.length;
    vocabOffsets[id + 1] = o;
    pieces[id] = decoder.decode(b);
    from = id + 1;
  }
  copyRun(V);
  return { ...info, vocabBytes, vocabOffsets, vocabPieces: pieces };
}

/**
 * On reconnecting to the same server and model whose ids are the server's own (vLLM), the entries
 * learnt before are kept: `next` with every entry of `old` it does not have yet. Any other pair
 * (another server, model or vocabulary size, or text-level ids that depend on the order seen): `next`.
 */
export function carryLearntVocabulary(old: ModelInfo | null, next: ModelInfo): ModelInfo {
  const a = old?.engine;
  const b = next.engine;
  if (!old || !a || !b || a.fullVocab || b.fullVocab || !a.tokenIds || !b.tokenIds) return next;
  if (a.url !== b.url || a.model !== b.model || old.vocabSize !== next.vocabSize) return next;
  const additions: VocabAddition[] = [];
  for (let i = 0; i < old.vocabSize; i++) {
    const o0 = old.vocabOffsets[i];
    const o1 = old.vocabOffsets[i + 1];
    if (o1 > o0 && next.vocabOffsets[i + 1] === next.vocabOffsets[i]) additions.push({ id: i, bytes: old.vocabBytes.slice(o0, o1) });
  }
  return withVocabAdditions(next, additions);
}
