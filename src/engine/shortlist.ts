/**
 * The quiz / class-vote shortlist: the most probable tokens plus a few plausible
 * distractors from further down the ranking, in a seeded shuffled order (so the
 * right answer is not always first, and a replay shows the same letters).
 */
import { drawUniform } from './random.ts';
import { SHORTLIST_STREAM } from './monteCarlo.ts';

/**
 * @param rankedIds token ids by model probability, most probable first (e.g. a record's tokenIds)
 * @param top how many of the most probable tokens to include
 * @param distractors how many more to pick at random from ranks top+1 .. top+pool
 * @param seed user seed; depth the step's generation depth (draw keys
 *   {seed, depth, reroll: i, stream: SHORTLIST_STREAM} for i = 0, 1, …)
 * @returns at most top + distractors distinct ids, shuffled (Fisher–Yates)
 */
export function shortlist(rankedIds: readonly number[], top: number, distractors: number, seed: number, depth: number, pool = 15): number[] {
  if (!Number.isInteger(top) || top < 1) throw new RangeError(`top must be an integer ≥ 1: ${top}`);
  if (!Number.isInteger(distractors) || distractors < 0) throw new RangeError(`distractors must be an integer ≥ 0: ${distractors}`);
  let draw = 0;
  const u = () => drawUniform({ seed, depth, reroll: draw++, stream: SHORTLIST_STREAM });
  const picked = rankedIds.slice(0, top);
  const rest = rankedIds.slice(top, top + pool);
  for (let k = 0; k < distractors && rest.length > 0; k++) picked.push(rest.splice(Math.floor(u() * rest.length), 1)[0]);
  for (let i = picked.length - 1; i > 0; i--) {
    const j = Math.floor(u() * (i + 1));
    [picked[i], picked[j]] = [picked[j], picked[i]];
  }
  return picked;
}
