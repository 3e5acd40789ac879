/**
 * The constraint stage: keeps the tokens a constraint allows at this point of the text
 * (constraint/tokenMask.ts) and renormalises — the same distribution as setting every other
 * logit to −∞ before the rest of the chain (how Hugging Face / vLLM logits processors mask), and
 * like top-k it turns the stage sparse, so the view marks and counts the removed tokens.
 */
import { ConstraintError } from '../constraint/errors.ts';
import { filterTo, type SparseStage, type Stage } from './stage.ts';

/**
 * @param allowed allowed[id] = 1 when token id may follow (length vocabSize)
 * @throws ConstraintError `constraint-dead-end` when no allowed token has a positive probability
 */
export function constraintStage(prev: Stage, allowed: Uint8Array): SparseStage {
  const keep: number[] = [];
  if (prev.kind === 'dense') {
    if (allowed.length !== prev.values.length) throw new RangeError(`mask has ${allowed.length} entries, the vocabulary ${prev.values.length}`);
    for (let i = 0; i < allowed.length; i++) if (allowed[i]) keep.push(i);
  } else {
    for (let k = 0; k < prev.ids.length; k++) if (allowed[prev.ids[k]] && prev.probs[k] > 0) keep.push(prev.ids[k]);
  }
  const s = keep.length > 0 ? filterTo(prev, Int32Array.from(keep)) : null;
  if (!s || !(s.logZ > -Infinity) || s.probs.some((p) => !Number.isFinite(p))) throw new ConstraintError('constraint-dead-end', 'no token the constraint allows has a positive probability');
  return s;
}
