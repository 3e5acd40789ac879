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
  const bytesOf: Uint8Array[] = new Array(V);
  for (let i = 0; i < V; i++) bytesOf[i] = info.vocabBytes.subarray(info.vocabOffsets[i], info.vocabOffsets[i + 1]);
  const pieces = info.vocabPieces.slice();
  const decoder = new TextDecoder();
  for (const a of additions) {
    if (!Number.isInteger(a.id) || a.id < 0 || a.id >= V) continue;
    bytesOf[a.id] = a.bytes;
    pieces[a.id] = decoder.decode(a.bytes);
  }
  let total = 0;
  for (const b of bytesOf) total += b.length;
  const vocabBytes = new Uint8Array(total);
  const vocabOffsets = new Uint32Array(V + 1);
  for (let i = 0, o = 0; i < V; i++) {
    vocabOffsets[i] = o;
    vocabBytes.set(bytesOf[i], o);
    o += bytesOf[i].length;
    vocabOffsets[i + 1] = o;
  }
  return { ...info, vocabBytes, vocabOffsets, vocabPieces: pieces };
}
