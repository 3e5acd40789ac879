/**
 * Speculative generation as a loop of rounds over two injected model calls, so the same code runs
 * on any backend (the decoder adapts a ModelBackend to `SpecModel`):
 *   - `verify`: ONE target forward over the k draft tokens appended to the context, returning the
 *     final distributions at the k + 1 new positions;
 *   - `draft`: one draft-model forward giving its final distribution after a context.
 * Each round proposes (prompt lookup, or k draft-model steps), verifies once and keeps the tokens
 * `verifyRound` decides. A stop token (EOS, end-of-turn) ends the text where it is emitted.
 */
import { promptLookupDraft, type LookupOptions } from './speculativeLookup.ts';
import { proposeDraftToken, verifyRound, type DraftDist, type Drafter, type SpecRound } from './speculative.ts';

/** What the loop needs from the models. Distributions are FINAL (after the processor chain), Float64Array of length vocabSize. */
export interface SpecModel {
  /**
   * Target distributions after context + drafts[0..i) for i = 0..drafts.length (drafts.length + 1
   * arrays), from one forward pass over the new positions.
   */
  verify(context: readonly number[], drafts: readonly number[]): Promise<Float64Array[]>;
  /** Draft model's distribution after the context (required for drafter `draft-model`). */
  draft?(context: readonly number[]): Promise<Float64Array>;
}

/** Settings of speculative generation. */
export interface SpecOptions {
  drafter: Drafter;
  mode: 'sample' | 'greedy';
  /** Draft tokens per round (k ≥ 1). */
  k: number;
  /** Prompt-lookup n-gram sizes (drafter `prompt-lookup`); numTokens comes from k. */
  lookup?: Omit<LookupOptions, 'numTokens'>;
  seed: number;
  reroll: number;
  /** Token ids that end the text (EOS, end-of-turn). */
  stopIds: readonly number[];
}

/** Default prompt-lookup n-gram sizes (Hugging Face: max_matching_ngram_size = 2; we try up to 3). */
export const DEFAULT_LOOKUP = { maxNgram: 3, minNgram: 1 } as const;

/**
 * One round at generation depth `depth` (number of tokens generated before it), proposing at most
 * `maxTokens − 1` drafts so the round emits at most `maxTokens` tokens.
 * @param context prompt + generated ids
 * @throws RangeError for k < 1, maxTokens < 1, or a draft-model round without `model.draft`
 */
export async function speculativeRound(context: readonly number[], depth: number, maxTokens: number, opts: SpecOptions, model: SpecModel): Promise<SpecRound> {
  if (!Number.isInteger(opts.k) || opts.k < 1) throw new RangeError(`k must be an integer ≥ 1: ${opts.k}`);
  if (!Number.isInteger(maxTokens) || maxTokens < 1) throw new RangeError(`maxTokens must be an integer ≥ 1: ${maxTokens}`);
  const k = Math.min(opts.k, maxTokens - 1);
  let drafts: number[] = [];
  let q: DraftDist[] = [];
  let draftForwardCount = 0;
  if (k > 0 && opts.drafter === 'prompt-lookup') {
    drafts = promptLookupDraft(context, { ...(opts.lookup ?? DEFAULT_LOOKUP), numTokens: k }).tokens;
    q = drafts.map((tokenId) => ({ kind: 'point', tokenId }));
  } else if (k > 0) {
    if (!model.draft) throw new RangeError('drafter draft-model needs a draft model');
    const ctx = [...context];
    for (let i = 0; i < k; i++) {
      const qi = await model.draft(ctx);
      draftForwardCount++;
      const x = proposeDraftToken(qi, opts.mode, opts.seed, depth + i, opts.reroll);
      drafts.push(x);
      q.push({ kind: 'dense', probs: qi });
      ctx.push(x);
      // a drafted stop token ends the proposal: nothing after it can be kept
      if (opts.stopIds.includes(x)) break;
    }
  }
  const p = await model.verify(context, drafts);
  if (p.length !== drafts.length + 1) throw new RangeError(`verify returned ${p.length} distributions for ${drafts.length} drafts`);
  const round = verifyRound({ drafts, q, p, mode: opts.mode, drafter: opts.drafter, seed: opts.seed, depth, reroll: opts.reroll, draftForwardCount });
  const stopAt = round.emitted.findIndex((t) => opts.stopIds.includes(t));
  if (stopAt >= 0) round.emitted = round.emitted.slice(0, stopAt + 1);
  return round;
}

/**
 * Generates up to `maxNewTokens` tokens in rounds; stops after a stop token.
 * @param onRound called after each round (for the view)
 * @returns the new tokens (a stop token included when one ended the text) and the rounds
 */
export async function speculativeGenerate(
  prompt: readonly number[],
  maxNewTokens: number,
  opts: SpecOptions,
  model: SpecModel,
  onRound?: (round: SpecRound) => void,
): Promise<{ tokens: number[]; rounds: SpecRound[] }> {
  const tokens: number[] = [];
  const rounds: SpecRound[] = [];
  while (tokens.length < maxNewTokens) {
    const round = await speculativeRound([...prompt, ...tokens], tokens.length, maxNewTokens - tokens.length, opts, model);
    rounds.push(round);
    onRound?.(round);
    tokens.push(...round.emitted);
    if (opts.stopIds.includes(tokens[tokens.length - 1])) break;
  }
  return { tokens, rounds };
}
