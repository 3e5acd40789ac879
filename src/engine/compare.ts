import type { BeamCandidate, BeamHypothesis } from './beam.ts';

/**
 * Compare mode, pure: where two generated token sequences part, and which
 * hypothesis a beam-search pane shows after each of its steps.
 */

/**
 * The first 0-based index (of the generated tokens, prompt excluded) where the two sequences hold
 * different token ids, or null when they agree on every index both have (one may be longer: it has
 * not diverged yet, it has only gone further).
 * @param a generated token ids of pane A
 * @param b generated token ids of pane B
 */
export function firstDivergence(a: readonly number[], b: readonly number[]): number | null {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return null;
}

/** What compare mode needs of one streamed beam step (the worker's `BeamStepRecord`). */
export interface BeamStepView {
  /** Running beams before this step: generated tokens and cumulative log-probability (nats). */
  beams: readonly { tokens: readonly number[]; sumLogprobs: number }[];
  candidates: readonly BeamCandidate[];
  /** Finished hypotheses after this step, best first. */
  finished: readonly BeamHypothesis[];
  done: boolean;
}

/** A beam pane's hypothesis after some step, with each token's log-probability. */
export interface BestSoFar {
  tokens: number[];
  /**
   * Per-token log-probability (nats) in the beam's scores: log-softmax after the repetition
   * penalty, as beam search ranks them (the model's log-probability when the penalty is 1).
   */
  logprobs: number[];
  /** True when this is the search's final best hypothesis (the search ended at this step). */
  final: boolean;
}

/**
 * The best hypothesis so far after beam step `t` (0-based; the sequence has t + 1 tokens unless
 * it ended earlier with EOS): the live beam ranked first (highest cumulative log-probability,
 * the one HF beam search puts in row 0); at the step where the search ends, the best finished
 * hypothesis by length-normalised beamScore, which is what `generate(num_beams=k)` returns.
 * Earlier tokens may change from one step to the next, because a lower beam can overtake.
 * @param steps the streamed steps of one beam search, in order
 * @throws RangeError when `t` is outside [0, steps.length)
 */
export function beamBestSoFar(steps: readonly BeamStepView[], t: number): BestSoFar {
  if (!Number.isInteger(t) || t < 0 || t >= steps.length) throw new RangeError(`beam step must be in [0, ${steps.length}): ${t}`);
  const last = steps[t];
  const top = last.candidates.find((c) => c.state === 'kept' && c.nextBeam === 0);
  let tokens: number[];
  let final = false;
  if (last.done || !top) {
    const best = last.finished[0];
    if (!best) throw new RangeError(`beam step ${t} has neither a live beam nor a finished hypothesis`);
    tokens = [...best.tokens];
    final = true;
  } else tokens = [...last.beams[top.parentBeam].tokens, top.tokenId];
  // each prefix of a beam was a live beam of an earlier step: its cumulative score is recorded there
  const logprobs: number[] = [];
  let prev = 0;
  tokens.forEach((tok, i) => {
    const prefix = tokens.slice(0, i).join();
    const cand = steps[i]?.candidates.find((c) => c.tokenId === tok && steps[i].beams[c.parentBeam]?.tokens.join() === prefix);
    const cum = cand ? cand.sumLogprobs : prev;
    logprobs.push(cum - prev);
    prev = cum;
  });
  return { tokens, logprobs, final };
}
