/**
 * The one level loop that beam search and the Monte-Carlo continuation tree share: level by level,
 * a set of rows (prefixes) each extended by one token, all rows of a level in one batched forward
 * (split into chunks of `capabilities.maxRows`), each row continuing from its parent row's cache
 * (the start node's snapshot for the first level). The lane decides, from the scores of the current
 * rows, which rows come next; every cache the loop creates is released exactly once.
 */
import { EngineError } from '../engine/errors.ts';
import type { ForwardRow, ModelBackend, PrefixCache } from './backend.ts';
import { positionCount, positionScores } from './topScores.ts';

/** A row of the next level: the index of its parent among the current rows and the token it appends. */
export interface NextRow {
  parent: number;
  tokenId: number;
}

/**
 * Decides the next level from the current one.
 * @param level 0 for the start node's row, then 1, 2, …
 * @param scores per current row, its last-position scores (Float32Array of length vocabSize)
 * @returns the next rows, or null (or none) to stop
 */
export type ExpandLevel = (level: number, scores: Float32Array[]) => NextRow[] | null;

/** One forward of `rows` (one new token each) in chunks of at most `maxRows`; returns every row's scores and cache. */
async function forwardRows(backend: ModelBackend, rows: ForwardRow[]): Promise<{ scores: Float32Array[]; caches: PrefixCache[] }> {
  const chunk = Math.max(1, backend.capabilities.maxRows);
  const scores: Float32Array[] = [];
  const caches: PrefixCache[] = [];
  try {
    for (let at = 0; at < rows.length; at += chunk) {
      const out = await backend.forward(rows.slice(at, at + chunk));
      caches.push(...out.caches!);
      // a top-N row becomes dense with its reported mass beside it (topScores.ts)
      for (const r of out.rows) scores.push(positionScores(r, positionCount(r) - 1, backend.info.vocabSize));
    }
  } catch (e) {
    for (const c of caches) backend.release(c);
    throw e;
  }
  return { scores, caches };
}

/**
 * Runs levels from a start node until `expand` returns no rows.
 * @param start the start node's prefix cache (not released here; the node cache owns it)
 * @param startScores the start node's last-position scores
 */
export async function runLevels(backend: ModelBackend, start: PrefixCache, startScores: Float32Array, expand: ExpandLevel): Promise<void> {
  let scores = [startScores];
  let caches: PrefixCache[] | null = null;
  try {
    for (let level = 0; ; level++) {
      const next = expand(level, scores);
      if (!next || next.length === 0) return;
      const context = backend.info.contextLength;
      if (start.length + level + 1 > context) {
        throw new EngineError('context-overflow', `sequence of ${start.length + level + 1} tokens exceeds the context of ${context}`);
      }
      const prev: PrefixCache[] | null = caches;
      const out = await forwardRows(
        backend,
        next.map((r) => ({ prefix: prev === null ? start : prev[r.parent], tokens: [r.tokenId] })),
      );
      if (prev) for (const c of prev) backend.release(c);
      caches = out.caches;
      scores = out.scores;
    }
  } finally {
    if (caches) for (const c of caches) backend.release(c);
  }
}
