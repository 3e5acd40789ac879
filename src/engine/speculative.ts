/**
 * Speculative decoding, one verification round: a draft proposes k tokens, the target model scores
 * all k + 1 positions in one forward pass, and the round keeps exactly the target's distribution
 * (Leviathan et al. 2023, "Fast Inference from Transformers via Speculative Decoding", Algorithm 1;
 * Chen et al. 2023, "Accelerating LLM Decoding with Speculative Sampling"):
 *   - draft token x at position i is accepted with probability min(1, p_i(x) / q_i(x));
 *   - at the first rejection a token is drawn from the normalised residual max(0, p_i − q_i), and the
 *     round ends;
 *   - when all k are accepted, a bonus token is drawn from p_k.
 * A prompt-lookup draft is a point mass q_i = δ_x: accept with probability p_i(x), else draw from p_i
 * with x removed and renormalised (the same residual formula). Greedy: accept while the draft token
 * equals the argmax of p_i; the first mismatch is replaced by that argmax; bonus = argmax of p_k.
 * p and q are FINAL distributions (after the processor chain) at each position, with the earlier
 * draft tokens in the context.
 *
 * Draws come from the counter-based generator of `random.ts` on streams of their own, so a round is
 * replayable from the seed and never shares u with plain sampling (stream 0), Monte-Carlo (1, 2) or
 * the shortlist (3). For the round starting at generation depth d, position i (0-based) uses
 *   acceptance: {seed, depth: d + i, reroll, stream: SPEC_STREAM_ACCEPT}
 *   residual:   {seed, depth: d + i, reroll, stream: SPEC_STREAM_RESIDUAL}
 *   bonus:      {seed, depth: d + k, reroll, stream: SPEC_STREAM_BONUS}
 *   draft-model proposal: {seed, depth: d + i, reroll, stream: SPEC_STREAM_DRAFT}
 */
import { drawUniform, type DrawKey } from './random.ts';
import { sampleToken } from './sampling.ts';

/** Random stream of speculative acceptance tests. */
export const SPEC_STREAM_ACCEPT = 4;
/** Random stream of draws from the residual max(0, p − q) after a rejection. */
export const SPEC_STREAM_RESIDUAL = 5;
/** Random stream of the bonus token drawn from p after every draft token was accepted. */
export const SPEC_STREAM_BONUS = 6;
/** Random stream of a draft model's own sampled proposals. */
export const SPEC_STREAM_DRAFT = 7;

/** The draft's distribution at one position: a full vocabulary distribution, or a point mass (prompt lookup). */
export type DraftDist = { kind: 'dense'; probs: Float64Array } | { kind: 'point'; tokenId: number };

/** Where a round's tokens come from. */
export type Drafter = 'prompt-lookup' | 'draft-model';

/** State of one token in a round, as the view shows it (TESTING.md `spec-token` `data-state`). */
export type SpecTokenState = 'proposed' | 'accepted' | 'rejected' | 'resampled' | 'bonus';

/** One token of a round. `proposed` = a draft token after the first rejection (never verified, discarded). */
export interface SpecToken {
  tokenId: number;
  state: SpecTokenState;
  /** Target's final probability of this token at its position (verification pass). */
  p: number;
  /** Draft's probability of this token at its position (1 for a prompt-lookup proposal, 0 if the draft could not propose it). */
  q: number;
  /** Position in the round, 0-based (generation depth − round start depth). */
  position: number;
  /** Acceptance probability min(1, p/q) (draft tokens that were tested only). */
  acceptProbability?: number;
  /** The acceptance (draft tokens) or residual/bonus draw u ∈ [0, 1) used; absent in greedy mode. */
  u?: number;
}

/** One verification round (TESTING.md `spec-round`). */
export interface SpecRound {
  /** Generation depth of the round's first position. */
  depth: number;
  drafter: Drafter;
  mode: 'sample' | 'greedy';
  /** Number of draft tokens proposed (k). */
  proposed: number;
  /** Number of draft tokens accepted (0..k). */
  accepted: number;
  /** Target forward passes the round used (1: the one verification pass over k + 1 positions). */
  forwardCount: number;
  /** Draft-model forward passes used to propose (0 for prompt lookup). */
  draftForwardCount: number;
  /** Draft tokens in order (states accepted / rejected / proposed), then the resampled or bonus token. */
  tokens: SpecToken[];
  /** Tokens the round appends to the text: the accepted drafts, then the resampled or bonus token. */
  emitted: number[];
}

/** The most probable token, lowest id on ties (the app's greedy choice). */
export function argmax(probs: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < probs.length; i++) if (probs[i] > probs[best]) best = i;
  return best;
}

/** Draw key of a round position on one of the speculative streams. */
export function specKey(seed: number, depth: number, reroll: number, stream: number): DrawKey {
  return { seed, depth, reroll, stream };
}

/** q(x) of a draft distribution. */
export function draftProb(q: DraftDist, tokenId: number): number {
  if (q.kind === 'point') return q.tokenId === tokenId ? 1 : 0;
  return q.probs[tokenId] ?? 0;
}

/**
 * Probability of accepting draft token x: min(1, p(x) / q(x)).
 * @param pX target probability of x (final distribution), qX draft probability of x
 * @throws RangeError when qX ≤ 0 (the draft cannot have proposed x) or a probability is outside [0, 1]
 */
export function acceptanceProbability(pX: number, qX: number): number {
  if (!(pX >= 0 && pX <= 1)) throw new RangeError(`p(x) must be in [0, 1]: ${pX}`);
  if (!(qX > 0 && qX <= 1)) throw new RangeError(`q(x) must be in (0, 1]: ${qX}`);
  return pX >= qX ? 1 : pX / qX;
}

/**
 * The normalised residual max(0, p − q) / Σ max(0, p − q) drawn from after a rejection. For a point
 * mass q = δ_x it is p with x removed and renormalised.
 * @param p Float64Array of length vocabSize summing to 1 (target final probabilities)
 * @returns Float64Array of length vocabSize summing to 1
 * @throws RangeError when the residual is empty (p ≤ q everywhere, i.e. p = q: a rejection has probability 0)
 */
export function residualDistribution(p: Float64Array, q: DraftDist): Float64Array {
  const r = new Float64Array(p.length);
  let total = 0;
  if (q.kind === 'point') {
    for (let i = 0; i < p.length; i++) if (i !== q.tokenId) total += r[i] = p[i];
  } else {
    if (q.probs.length !== p.length) throw new RangeError(`q has ${q.probs.length} entries, p has ${p.length}`);
    for (let i = 0; i < p.length; i++) {
      const d = p[i] - q.probs[i];
      if (d > 0) total += r[i] = d;
    }
  }
  if (!(total > 0)) throw new RangeError('residual max(0, p − q) is empty: p equals q');
  for (let i = 0; i < r.length; i++) r[i] /= total;
  return r;
}

/** Inputs of one verification round. */
export interface RoundInput {
  /** Proposed draft tokens x_0..x_{k−1} (k ≥ 0). */
  drafts: readonly number[];
  /** Draft distribution at each proposed position (length k). */
  q: readonly DraftDist[];
  /** Target final distributions at the k + 1 positions (p_i with x_0..x_{i−1} in the context). */
  p: readonly Float64Array[];
  mode: 'sample' | 'greedy';
  drafter: Drafter;
  /** Key of the round: seed, generation depth of position 0, reroll count. */
  seed: number;
  depth: number;
  reroll: number;
  /** Draft-model forwards used to propose (0 for prompt lookup); copied into the record. */
  draftForwardCount?: number;
}

/**
 * Runs one round: acceptance tests in order, the residual draw at the first rejection, the bonus
 * draw when all are accepted (see the module comment for the semantics and the draw keys).
 * @returns the round record (tokens in order, emitted tokens, counts)
 * @throws RangeError when the lengths disagree (q ≠ k, p ≠ k + 1) or a draft token has q(x) = 0 in sample mode
 */
export function verifyRound(input: RoundInput): SpecRound {
  const { drafts, q, p, mode, seed, depth, reroll } = input;
  const k = drafts.length;
  if (q.length !== k) throw new RangeError(`q must have one distribution per draft token: ${q.length} ≠ ${k}`);
  if (p.length !== k + 1) throw new RangeError(`p must have k + 1 = ${k + 1} distributions: ${p.length}`);
  const tokens: SpecToken[] = [];
  const emitted: number[] = [];
  let accepted = 0;
  let stopped = false;
  for (let i = 0; i < k; i++) {
    const x = drafts[i];
    const qX = draftProb(q[i], x);
    if (stopped) {
      tokens.push({ tokenId: x, state: 'proposed', p: p[i][x], q: qX, position: i });
      continue;
    }
    if (mode === 'greedy') {
      const best = argmax(p[i]);
      if (best === x) {
        tokens.push({ tokenId: x, state: 'accepted', p: p[i][x], q: qX, position: i });
        emitted.push(x);
        accepted++;
      } else {
        tokens.push({ tokenId: x, state: 'rejected', p: p[i][x], q: qX, position: i });
        tokens.push({ tokenId: best, state: 'resampled', p: p[i][best], q: draftProb(q[i], best), position: i });
        emitted.push(best);
        stopped = true;
      }
      continue;
    }
    const a = acceptanceProbability(p[i][x], qX);
    const u = drawUniform(specKey(seed, depth + i, reroll, SPEC_STREAM_ACCEPT));
    if (u < a) {
      tokens.push({ tokenId: x, state: 'accepted', p: p[i][x], q: qX, position: i, acceptProbability: a, u });
      emitted.push(x);
      accepted++;
    } else {
      tokens.push({ tokenId: x, state: 'rejected', p: p[i][x], q: qX, position: i, acceptProbability: a, u });
      const uR = drawUniform(specKey(seed, depth + i, reroll, SPEC_STREAM_RESIDUAL));
      const y = sampleToken(residualDistribution(p[i], q[i]), uR).tokenId;
      tokens.push({ tokenId: y, state: 'resampled', p: p[i][y], q: draftProb(q[i], y), position: i, u: uR });
      emitted.push(y);
      stopped = true;
    }
  }
  if (!stopped) {
    let y: number;
    let uB: number | undefined;
    if (mode === 'greedy') y = argmax(p[k]);
    else {
      uB = drawUniform(specKey(seed, depth + k, reroll, SPEC_STREAM_BONUS));
      y = sampleToken(p[k], uB).tokenId;
    }
    tokens.push({ tokenId: y, state: 'bonus', p: p[k][y], q: 0, position: k, ...(uB === undefined ? {} : { u: uB }) });
    emitted.push(y);
  }
  return {
    depth,
    drafter: input.drafter,
    mode,
    proposed: k,
    accepted,
    forwardCount: 1,
    draftForwardCount: input.draftForwardCount ?? 0,
    tokens,
    emitted,
  };
}

/**
 * A draft model's proposal at one position: sampled from q on the draft stream, or q's argmax in greedy mode.
 * @param q Float64Array of length vocabSize summing to 1 (the draft's final probabilities)
 */
export function proposeDraftToken(q: Float64Array, mode: 'sample' | 'greedy', seed: number, depth: number, reroll: number): number {
  if (mode === 'greedy') return argmax(q);
  return sampleToken(q, drawUniform(specKey(seed, depth, reroll, SPEC_STREAM_DRAFT))).tokenId;
}

/** Target forward passes per generated token over a list of rounds (< 1 when drafts are accepted). */
export function forwardsPerToken(rounds: readonly SpecRound[]): number {
  let f = 0;
  let t = 0;
  for (const r of rounds) {
    f += r.forwardCount;
    t += r.emitted.length;
  }
  return t === 0 ? 0 : f / t;
}
