/**
 * Temperature (Hugging Face TemperatureLogitsWarper): logits / T; T = 0 keeps only the argmax (lowest
 * id on ties) with no division by zero; T = 1 is the identity.
 */
import { densePass, filterTo, type Stage } from './stage.ts';
export function temperatureStage(prev: Stage, t: number, notShown: Float64Array): Stage {
  if (t === 1) return prev;
  if (t === 0) {
    let best = -1;
    if (prev.kind === 'dense') {
      const v = prev.values;
      for (let i = 0; i < v.length; i++) if (best < 0 || v[i] / prev.div > v[best] / prev.div) best = i;
    } else {
      let bk = 0;
      for (let k = 1; k < prev.ids.length; k++) if (prev.logits[k] > prev.logits[bk]) bk = k;
      best = prev.ids[bk];
    }
    return filterTo(prev, Int32Array.of(best));
  }
  if (prev.kind === 'dense') {
    if (prev.div !== 1) throw new RangeError('temperature applied twice');
    // max(l / T) = max(l) / T exactly: rounding is monotonic
    return densePass(prev.values, t, prev.shift / t, notShown);
  }
  const n = prev.ids.length;
  const logits = new Float64Array(n);
  let max = -Infinity;
  for (let k = 0; k < n; k++) {
    logits[k] = prev.logits[k] / t;
    if (logits[k] > max) max = logits[k];
  }
  const probs = new Float64Array(n);
  let z = 0;
  for (let k = 0; k < n; k++) {
    const e = Math.exp(logits[k] - max);
    probs[k] = e;
    z += e;
  }
  const inv = 1 / z;
  for (let k = 0; k < n; k++) probs[k] *= inv;
  return { kind: 'sparse', ids: prev.ids, logits, probs, max, logZ: Math.log(z) };
}
