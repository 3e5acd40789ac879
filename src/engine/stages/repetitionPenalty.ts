/**
 * Repetition penalty (Hugging Face RepetitionPenaltyLogitsProcessor): every distinct id seen so far
 * has its score z replaced by z·θ when z < 0, else z/θ. `penalize` is the rule (beam search applies
 * it to log-softmax scores, a step to raw logits); `rawPenPass` computes the raw and penalised dense
 * stages of a step in one loop.
 */
import { SEEN, type DenseStage } from './stage.ts';

/** The repetition penalty θ on one score: z·θ when z < 0, else z/θ. */
export function penalize(z: number, theta: number): number {
  return z < 0 ? z * theta : z / theta;
}

/**
 * Raw and repetition-penalised stages in one loop: one exp per token for the raw stage, the
 * penalised stage reusing it where the penalty changed nothing and the shift is the same (else its
 * own exp). Each sum runs in ascending id order over the same terms as softmaxStage's, so Z is
 * bit-identical. (Folding the temperature pass into this loop was measured: no faster.)
 */
export function rawPenPass(raw: Float64Array, pen: Float64Array, rawShift: number, penShift: number, flags: Uint8Array, notShown: Float64Array): [DenseStage, DenseStage] {
  let z = 0, ent = 0, rest = 0;
  let zp = 0, entp = 0, restp = 0;
  const n = raw.length;
  const all = penShift === rawShift ? 0 : SEEN;
  for (let i = 0; i < n; i++) {
    const d = raw[i] - rawShift;
    const e = Math.exp(d);
    const ns = notShown[i];
    z += e;
    ent += e * d;
    rest += e * ns;
    if ((flags[i] | all) & SEEN) {
      const dp = pen[i] - penShift;
      const ep = Math.exp(dp);
      zp += ep;
      entp += ep * dp;
      restp += ep * ns;
    } else {
      zp += e;
      entp += e * d;
      restp += e * ns;
    }
  }
  return [
    { kind: 'dense', values: raw, div: 1, shift: rawShift, z, ent, rest, probs: null },
    { kind: 'dense', values: pen, div: 1, shift: penShift, z: zp, ent: entp, rest: restp, probs: null },
  ];
}
