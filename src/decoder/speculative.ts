/**
 * Speculative generation on model backends: the engine's rounds (src/engine/speculativeLoop.ts)
 * over a target backend (and a draft backend for drafter `draft-model`), with exactly ONE target
 * forward per round: the tokens not yet in the target's cache plus the k drafts, scored at every
 * new position (capability `positions: 'all'`, whole vocabulary).
 *
 * Caches: the target lane keeps a prefix cache `base` and the tokens after it (`pending`). When a
 * round accepts every draft, the verification's cache becomes `base` (pending = the bonus token);
 * after a rejection that cache covers rejected drafts and is released, and the accepted drafts and
 * the resampled token join `pending`, recomputed inside the next round's one forward. Backends
 * cannot truncate a cache, so this is how a rejection rolls back. When pending reaches
 * MAX_PENDING, the next round proposes nothing (a plain step that resets the cache).
 * The draft lane keeps the caches of the current chain and reuses the longest that prefixes the context.
 */
import { ConstraintError } from '../engine/constraint/errors.ts';
import { EngineError } from '../engine/errors.ts';
import { stageDistributions } from '../engine/fastStep.ts';
import type { SamplingSettings } from '../engine/settings.ts';
import { speculativeRound, type SpecModel, type SpecOptions } from '../engine/speculativeLoop.ts';
import type { SpecRound } from '../engine/speculative.ts';
import { effectiveSettings } from '../engine/step.ts';
import type { ModelBackend, PrefixCache } from './backend.ts';

/** Tokens the target lane recomputes at most before it forces a plain step. */
export const MAX_PENDING = 8;

/** A speculative run: the processor settings of the strategy and the round settings. */
export interface SpeculativeRequest {
  prompt: readonly number[];
  maxNewTokens: number;
  strategy: 'sample' | 'greedy';
  settings: SamplingSettings;
  spec: Omit<SpecOptions, 'mode' | 'stopIds'>;
  /**
   * Generation depth of the first new token (the start node's depth in the tree): the rounds' draw
   * keys use absolute depths, so a run is replayable from the seed wherever it starts. Default 0.
   */
  startDepth?: number;
  /**
   * The constraint stage's mask after a sequence (prompt + generated ids): allowed[id] = 1 when token
   * id keeps the text inside the language; null for no constraint. Applied to the target's p at
   * every position (and to a draft model's q), so a draft token outside the language has p(x) = 0
   * and is rejected with certainty. @throws ConstraintError `constraint-dead-end` when the text
   * already left the language
   */
  allowedAt?: (ids: readonly number[]) => Promise<Uint8Array | null>;
}

/** What a tree edge needs of an emitted token: its model probability (raw softmax) and rank. */
export interface EmittedStat {
  /** Model probability (softmax of raw logits) at its position. */
  prob: number;
  /** 1-based rank by model probability (ties: lower id first). */
  rank: number;
}

/** The outcome of a speculative run. */
export interface SpeculativeResult {
  tokens: number[];
  rounds: SpecRound[];
  /** Per emitted token (in order, aligned with `tokens`): model probability and rank. */
  stats: EmittedStat[];
  /** Target forward passes used (one per round). */
  targetForwards: number;
  /** Draft-model forward passes used (0 for prompt lookup). */
  draftForwards: number;
}

/** Raw and final distributions of one logits row under the strategy's processors (and the constraint mask). */
function distsOf(row: Float32Array, context: readonly number[], settings: SamplingSettings, allowed: Uint8Array | null) {
  return stageDistributions(row, context, settings, allowed);
}

/** 1-based rank of `id` by probability, ties broken by lower id (as the step's raw rank). */
function rankOf(probs: Float64Array, id: number): number {
  const x = probs[id];
  let rank = 1;
  for (let i = 0; i < probs.length; i++) if (probs[i] > x || (probs[i] === x && i < id)) rank++;
  return rank;
}

/**
 * The mask after `ids`, or 'dead' when a draft token already took the text out of the language
 * (that position is never reached: the draft token before it has p = 0 and is rejected).
 */
async function maskOrDead(allowedAt: SpeculativeRequest['allowedAt'], ids: readonly number[], isDraftContext: boolean): Promise<Uint8Array | null | 'dead'> {
  if (!allowedAt) return null;
  try {
    return await allowedAt(ids);
  } catch (e) {
    if (isDraftContext && e instanceof ConstraintError && e.reason === 'constraint-dead-end') return 'dead';
    throw e;
  }
}

/** Raw scores of positions [from, from + count) of a full-vocabulary row. */
function rowsOf(values: Float32Array, vocabSize: number, from: number, count: number): Float32Array[] {
  return Array.from({ length: count }, (_, i) => values.subarray((from + i) * vocabSize, (from + i + 1) * vocabSize));
}

/**
 * Runs speculative generation; stops after a stop token (EOS, end-of-turn) or maxNewTokens.
 * @throws EngineError `invalid-setting` when the target cannot score every position of the whole
 *   vocabulary with raw logits, or drafter `draft-model` has no draft backend
 */
export async function speculativeGenerateOn(
  target: ModelBackend,
  draft: ModelBackend | null,
  req: SpeculativeRequest,
  onRound?: (round: SpecRound) => void,
): Promise<SpeculativeResult> {
  const caps = target.capabilities;
  if (caps.positions !== 'all' || caps.vocabulary !== 'full' || caps.scores !== 'logits') {
    throw new EngineError('invalid-setting', `speculative decoding needs logits for the whole vocabulary at every position; ${target.info.id} gives ${caps.scores} for ${caps.vocabulary} at ${caps.positions}`);
  }
  if (req.spec.drafter === 'draft-model' && !draft) throw new EngineError('invalid-setting', 'drafter draft-model needs a draft model');
  const settings = effectiveSettings(req.strategy, req.settings);
  const V = target.info.vocabSize;
  const startDepth = req.startDepth ?? 0;
  // raw probabilities at each position of the last verification (for the emitted tokens' edges)
  let lastRaw: Float64Array[] = [];
  const stopIds = [target.info.eosTokenId, target.info.endOfTurnTokenId].filter((t): t is number => t !== null);
  const opts: SpecOptions = { ...req.spec, mode: req.strategy, stopIds };
  let base: PrefixCache | null = null;
  let pending: number[] = [...req.prompt];
  let verified: PrefixCache | null = null;
  let targetForwards = 0;
  let draftForwards = 0;
  // draft lane: caches of the current chain, by the ids they cover
  const draftCaches: { ids: number[]; cache: PrefixCache }[] = [];

  const model: SpecModel = {
    async verify(context, drafts) {
      const tokens = [...pending, ...drafts];
      const out = await target.forward([{ prefix: base, tokens }], { positions: 'all', keepCache: true });
      targetForwards++;
      verified = out.caches?.[0] ?? null;
      const row = out.rows[0];
      if (row.coverage !== 'full') throw new EngineError('invalid-setting', 'the target answered with top-N scores');
      const logits = rowsOf(row.values, V, pending.length - 1, drafts.length + 1);
      const finals: Float64Array[] = [];
      lastRaw = [];
      for (let i = 0; i < logits.length; i++) {
        const ctx = [...context, ...drafts.slice(0, i)];
        const allowed = await maskOrDead(req.allowedAt, ctx, i > 0);
        if (allowed === 'dead') {
          // unreachable position (after a draft token outside the language): nothing is drawn from it
          finals.push(new Float64Array(V));
          lastRaw.push(new Float64Array(V));
          continue;
        }
        const d = distsOf(logits[i], ctx, settings, allowed);
        finals.push(d.finalProbs);
        lastRaw.push(d.rawProbs);
      }
      return finals;
    },
    async draft(context) {
      const d = draft as ModelBackend;
      let best: { ids: number[]; cache: PrefixCache } | null = null;
      for (const c of draftCaches) {
        if (c.ids.length < context.length && (!best || c.ids.length > best.ids.length) && c.ids.every((t, i) => t === context[i])) best = c;
      }
      const out = await d.forward([{ prefix: best?.cache ?? null, tokens: context.slice(best?.ids.length ?? 0) }], { positions: 'last', keepCache: true });
      draftForwards++;
      const cache = out.caches?.[0];
      if (cache) draftCaches.push({ ids: [...context], cache });
      const row = out.rows[0];
      if (row.coverage !== 'full') throw new EngineError('invalid-setting', 'the draft answered with top-N scores');
      const allowed = await maskOrDead(req.allowedAt, context, false);
      return distsOf(row.values.subarray(0, V), context, settings, allowed === 'dead' ? null : allowed).finalProbs;
    },
  };

  const tokens: number[] = [];
  const rounds: SpecRound[] = [];
  const stats: EmittedStat[] = [];
  try {
    while (tokens.length < req.maxNewTokens) {
      const context = [...req.prompt, ...tokens];
      const room = pending.length >= MAX_PENDING ? 1 : req.maxNewTokens - tokens.length;
      verified = null;
      const round = await speculativeRound(context, startDepth + tokens.length, room, opts, model);
      const drafts = round.proposed;
      const v = verified as PrefixCache | null;
      if (round.accepted === drafts && v) {
        if (base) target.release(base);
        base = v;
        pending = [round.emitted[round.emitted.length - 1]];
      } else {
        if (v) target.release(v);
        pending = [...pending, ...round.emitted];
      }
      // keep only the draft caches that still prefix the text
      const next = [...context, ...round.emitted];
      for (let i = draftCaches.length - 1; i >= 0; i--) {
        const c = draftCaches[i];
        if (!c.ids.every((t, j) => t === next[j])) {
          (draft as ModelBackend).release(c.cache);
          draftCaches.splice(i, 1);
        }
      }
      rounds.push(round);
      onRound?.(round);
      // emitted token j sits at round position j
      round.emitted.forEach((t, j) => stats.push({ prob: lastRaw[j][t], rank: rankOf(lastRaw[j], t) }));
      tokens.push(...round.emitted);
      if (stopIds.includes(tokens[tokens.length - 1])) break;
    }
  } finally {
    if (base) target.release(base);
    for (const c of draftCaches) (draft as ModelBackend).release(c.cache);
  }
  return { tokens, rounds, stats, targetForwards, draftForwards };
}
