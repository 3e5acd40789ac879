/**
 * Min-p (Hugging Face MinPLogitsWarper): drop tokens with p < min_p · p_max (probabilities of the
 * previous stage); 0 disables.
 */
import { denseLogit, filterTo, maxOf, stageProbOf, type Stage } from './stage.ts';
export function minPStage(prev: Stage, minP: number): Stage {
  if (minP <= 0) return prev;
  if (prev.kind === 'dense') {
    // p_max = exp(0)·(1/Z); a token can pass only if l − shift ≥ ln(min_p) (minus a safety margin)
    const pMax = prev.probs ? maxOf(prev.probs) : 1 / prev.z;
    const cut = minP * pMax;
    const pre = Math.log(minP) - 1e-6;
    const keep: number[] = [];
    for (let i = 0; i < prev.values.length; i++) {
      if (denseLogit(prev, i) - prev.shift >= pre) {
        const pi = stageProbOf(prev, i);
        if (pi >= cut && pi > 0) keep.push(i);
      }
    }
    return filterTo(prev, Int32Array.from(keep));
  }
  const pMax = maxOf(prev.probs);
  const cut = minP * pMax;
  const keep: number[] = [];
  for (let k = 0; k < prev.ids.length; k++) if (prev.probs[k] >= cut && prev.probs[k] > 0) keep.push(prev.ids[k]);
  return filterTo(prev, Int32Array.from(keep));
}
