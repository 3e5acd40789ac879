/**
 * Prompt-lookup drafting (Saxena 2023, "Prompt Lookup Decoding"; Hugging Face
 * `PromptLookupCandidateGenerator`): the last n tokens of the context are searched for earlier in the
 * context, longest n first; the tokens that followed the match are proposed as the draft. Needs no
 * draft model — its q is a point mass on each proposed token. Unlike Hugging Face, which takes the
 * earliest match, the most recent earlier occurrence is used (a repeated passage is usually the one
 * just written).
 */

/** Options of the prompt-lookup drafter. */
export interface LookupOptions {
  /** Longest n-gram tried (≥ 1). Hugging Face's `max_matching_ngram_size` default is 2. */
  maxNgram: number;
  /** Shortest n-gram tried (1 ≤ minNgram ≤ maxNgram). */
  minNgram: number;
  /** Number of tokens proposed at most (k ≥ 1). */
  numTokens: number;
}

/** A proposal and where it came from (for the view). */
export interface LookupDraft {
  /** Proposed tokens (empty when no n-gram of the allowed sizes recurs). */
  tokens: number[];
  /** Length of the matched n-gram (0 when nothing matched). */
  ngram: number;
  /** Index in the context of the first token of the earlier occurrence (−1 when nothing matched). */
  matchStart: number;
}

/**
 * Proposes the continuation of the longest recurring suffix n-gram of `context`.
 * @param context prompt + generated token ids, oldest first
 * @throws RangeError for options out of range
 */
export function promptLookupDraft(context: readonly number[], options: LookupOptions): LookupDraft {
  const { maxNgram, minNgram, numTokens } = options;
  if (!Number.isInteger(minNgram) || minNgram < 1) throw new RangeError(`minNgram must be an integer ≥ 1: ${minNgram}`);
  if (!Number.isInteger(maxNgram) || maxNgram < minNgram) throw new RangeError(`maxNgram must be an integer ≥ minNgram: ${maxNgram}`);
  if (!Number.isInteger(numTokens) || numTokens < 1) throw new RangeError(`numTokens must be an integer ≥ 1: ${numTokens}`);
  const len = context.length;
  for (let n = Math.min(maxNgram, len - 1); n >= minNgram; n--) {
    const suffixStart = len - n;
    // most recent earlier occurrence whose continuation is inside the context: start s with s + n < len
    for (let s = suffixStart - 1; s >= 0; s--) {
      let same = true;
      for (let j = 0; j < n; j++) {
        if (context[s + j] !== context[suffixStart + j]) {
          same = false;
          break;
        }
      }
      if (!same) continue;
      const from = s + n;
      const tokens = context.slice(from, Math.min(from + numTokens, len));
      return { tokens: Array.from(tokens), ngram: n, matchStart: s };
    }
  }
  return { tokens: [], ngram: 0, matchStart: -1 };
}
