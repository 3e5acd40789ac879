/**
 * The attention and logit-lens lesson claims (issue #20), evaluated on the shown step's readout.
 * Pure: no store, no DOM.
 */
import type { DistributionRecord } from '../engine/distribution.ts';
import { attentionRow, type Readout } from '../decoder/readout.ts';
import type { LessonClaim } from './types.ts';
import type { ClaimResult } from './claims.ts';

export type AttentionClaim = Extract<LessonClaim, { kind: 'attn-sums-to-one' | 'attn-previous-token' | 'attn-after-earlier' | 'repeat-not-predicted' | 'lens-embedding-is-token' | 'lens-settles' }>;

const NONE: ClaimResult = { holds: false, value: null };

/** The last position j < query − 1 holding the query's token (−1 if none). */
function earlierOccurrence(ids: readonly number[]): number {
  const q = ids.length - 1;
  for (let j = q - 2; j >= 0; j--) if (ids[j] === ids[q]) return j;
  return -1;
}

/**
 * @param r the shown step's readout (null: none held, the claim fails with no value)
 * @param ids the shown step's token ids (prompt + generated; the query is the last)
 * @param rec the shown step's record (for the top token)
 */
export function evaluateAttentionClaim(claim: AttentionClaim, r: Readout | null, ids: readonly number[], rec: DistributionRecord | null): ClaimResult {
  if (!r || ids.length !== r.query + 1) return NONE;
  const q = r.query;
  switch (claim.kind) {
    case 'attn-sums-to-one': {
      let worst = 1;
      for (let l = 0; l < r.layers; l++)
        for (let h = 0; h < r.heads; h++) {
          const sum = attentionRow(r, l, h).reduce((a, b) => a + b, 0);
          if (Math.abs(sum - 1) > Math.abs(worst - 1)) worst = sum;
        }
      return { value: worst, holds: Math.abs(worst - 1) <= 1e-5 };
    }
    case 'attn-previous-token': {
      if (q < 1 || claim.layer >= r.layers || claim.head >= r.heads) return NONE;
      const row = attentionRow(r, claim.layer, claim.head);
      const w = row[q - 1];
      return { value: w, holds: w >= claim.min && row.every((x) => x <= w) };
    }
    case 'attn-after-earlier': {
      const j = earlierOccurrence(ids);
      if (j < 0) return NONE;
      let best = 0;
      for (let l = 0; l < r.layers; l++) for (let h = 0; h < r.heads; h++) best = Math.max(best, attentionRow(r, l, h)[j + 1]);
      return { value: best, holds: best <= claim.max };
    }
    case 'repeat-not-predicted': {
      const j = earlierOccurrence(ids);
      if (j < 0 || !rec || rec.tokenIds.length === 0) return NONE;
      const k = Array.from(rec.tokenIds).indexOf(ids[j + 1]);
      return { value: k >= 0 ? k + 1 : null, holds: rec.tokenIds[0] !== ids[j + 1] };
    }
    case 'lens-embedding-is-token': {
      const row = r.lens?.[0];
      if (!row) return NONE;
      return { value: row.probs[0], holds: row.tokenIds[0] === ids[q] };
    }
    case 'lens-settles': {
      const lens = r.lens;
      if (!lens) return NONE;
      const top = lens[lens.length - 1].tokenIds[0];
      let first = lens.length - 1;
      while (first > 0 && lens[first - 1].tokenIds[0] === top) first--;
      return { value: first, holds: first === claim.layer };
    }
  }
}
