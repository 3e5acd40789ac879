/**
 * Top-N scores (a server that reports only the N most likely tokens per step: vLLM's `logprobs: N`,
 * Ollama's `top_logprobs`) as the dense score vectors the engine math takes, and what the decoder
 * must remember about them.
 *
 * A reported token keeps its natural-log probability; every token the server did not report gets
 * UNREPORTED_SCORE, a finite floor whose softmax weight underflows to exactly 0 (the engine refuses
 * non-finite scores). So every processor, greedy, sampling and beam search act on the reported
 * tokens only — renormalised over them — which is exactly what the app can do on such a server; the
 * decoder then puts the raw stage back on the server's own scale (mass Σ reported, the rest "not
 * reported") and marks every later stage approximate (`markTopRecord`).
 *
 * The reported mass of a dense vector is kept beside it (a WeakMap keyed by the vector), so caches,
 * the level loop and beam search need no new fields: `reportedOf(values)` is null for a
 * whole-vocabulary vector.
 */
import type { DistributionRecord } from '../engine/distribution.ts';
import type { StepChoice } from '../engine/step.ts';
import { EngineError } from '../engine/errors.ts';
import type { RowScores, TopScores } from './backend.ts';

/** The score of a token the server did not report: softmax gives it probability 0 (exp underflows), and it stays finite under every processor. */
export const UNREPORTED_SCORE = Math.fround(-1e30);

/** What a top-N vector covers. */
export interface Reported {
  /** Σ exp(logprob) over the reported tokens (the server's probabilities), in (0, 1]. */
  mass: number;
  /** How many distinct tokens were reported. */
  count: number;
}

const reportedByVector = new WeakMap<Float32Array, Reported>();

/** What a dense vector from `denseFromTop` covers; null for a whole-vocabulary vector. */
export function reportedOf(values: Float32Array): Reported | null {
  return reportedByVector.get(values) ?? null;
}

/**
 * A top-N position as a dense vector of length `vocabSize` (natural-log probabilities; the rest at
 * UNREPORTED_SCORE).
 * @throws EngineError `server` (message `bad-answer: not reported …`) when the server reported no token — never
 *   read as probability 0; `server` (`bad-answer: …`) for an id outside the vocabulary, a
 *   log-probability above 0, or reported probabilities summing above 1
 */
export function denseFromTop(top: TopScores, vocabSize: number): Float32Array {
  const n = top.tokenIds.length;
  if (n === 0) throw new EngineError('server', 'bad-answer: not reported — the server answered without any token probabilities (vLLM: start it with a larger --max-logprobs)');
  const out = new Float32Array(vocabSize).fill(UNREPORTED_SCORE);
  let mass = 0;
  let count = 0;
  for (let j = 0; j < n; j++) {
    const id = top.tokenIds[j];
    const lp = top.logprobs[j];
    if (!Number.isInteger(id) || id < 0 || id >= vocabSize) throw new EngineError('server', `bad-answer: token id ${id} outside the vocabulary of ${vocabSize}`);
    if (!(lp <= 1e-4) || Number.isNaN(lp)) throw new EngineError('server', `bad-answer: log-probability ${lp} above 0`);
    if (out[id] !== UNREPORTED_SCORE) continue; // listed twice: the first (highest) counts
    const v = lp === -Infinity ? UNREPORTED_SCORE : Math.min(0, lp);
    out[id] = v;
    if (v !== UNREPORTED_SCORE) {
      mass += Math.exp(v);
      count++;
    }
  }
  if (count === 0) throw new EngineError('server', 'bad-answer: not reported — every reported token has probability 0');
  // float rounding aside, reported probabilities cannot sum above 1
  if (mass > 1 + 1e-3) throw new EngineError('server', `bad-answer: the reported probabilities sum to ${mass.toFixed(4)} > 1`);
  reportedByVector.set(out, { mass: Math.min(1, mass), count });
  return out;
}

/**
 * The scores of position `p` of a row, dense: a view of a whole-vocabulary row, or a top-N position
 * made dense (see denseFromTop).
 */
export function positionScores(row: RowScores, p: number, vocabSize: number): Float32Array {
  if (row.coverage === 'full') return row.positions === 1 && p === 0 ? row.values : row.values.subarray(p * vocabSize, (p + 1) * vocabSize);
  const pos = row.positions[p];
  if (!pos) throw new RangeError(`position ${p} of ${row.positions.length}`);
  return denseFromTop(pos, vocabSize);
}

/** Number of scored positions of a row. */
export function positionCount(row: RowScores): number {
  return row.coverage === 'full' ? row.positions : row.positions.length;
}

/**
 * Puts a record computed on a top-N vector back on the server's scale: the raw stage's shown
 * probabilities and rest are multiplied by the reported mass S (they were renormalised over the
 * reported tokens), the mass the server did not report (1 − S) is recorded apart, the raw entropy
 * is marked as a lower bound over reported tokens, and the choice's model probability is the
 * server's. Later stages stay renormalised over the reported tokens — approximate, and said so.
 * Mutates and returns the record and choice.
 */
export function markTopRecord(record: DistributionRecord, choice: StepChoice | null, rep: Reported): { record: DistributionRecord; choice: StepChoice | null } {
  const S = rep.mass;
  const n = record.tokenIds.length;
  for (let j = 0; j < n; j++) record.stageProbs[j] *= S;
  record.restMass[0] *= S;
  record.unreportedMass = Math.max(0, 1 - S);
  record.top = { reported: rep.count, reportedMass: S, approximateStages: record.stages.slice(1) };
  if (choice) {
    choice.prob *= S;
    choice.logprob += Math.log(S);
  }
  return { record, choice };
}
