/**
 * Lessons are data: a title and a few steps, each with a short text in the three UI languages,
 * the app actions that step performs, the region it talks about, and machine-checked claims
 * about what the embedded model shows at that point (a test fails when one stops holding).
 */
import type { BeamSettings, SamplingSettings, Strategy } from '../engine/settings.ts';
import type { StopReason } from '../engine/tree.ts';
import type { ConstraintSpec } from '../engine/constraint/constraint.ts';

/** Text in every UI language (keys match the app's `Language`). */
export interface Localized {
  en: string;
  'zh-Hans': string;
  'zh-Hant': string;
}

/** The app regions a lesson step can point at (each region carries `data-region` with this id). */
export type RegionId = 'prompt' | 'controls' | 'generated' | 'chart' | 'settings' | 'metrics' | 'path-tree' | 'beam-tree' | 'teacher' | 'attention';

/**
 * One app action, performed in order when a step is entered. Every action is deterministic
 * (seeded draws, greedy, beam search), so replaying a lesson's actions always rebuilds the same state.
 */
export type LessonAction =
  /**
   * Types a prompt (a new tree for it). `textHant`: the prompt in traditional characters for the
   * zh-Hant UI, where the model's vocabulary has them (otherwise the step's text says why not).
   */
  | { do: 'prompt'; text: string; textHant?: string }
  /** Changes settings; unspecified fields keep their value. */
  | {
      do: 'settings';
      strategy?: Strategy;
      sampling?: Partial<Omit<SamplingSettings, 'order'>>;
      beam?: Partial<BeamSettings>;
      seed?: number;
      maxNewTokens?: number;
      /** The constraint stage (issue #21); null = none. */
      constraint?: ConstraintSpec | null;
    }
  /** A speculative run from the cursor (issue #21): its kept tokens join the tree. */
  | { do: 'speculative'; drafter: 'prompt-lookup'; k: number }
  /** Step ▶ `count` times; with beam search: runs a new search from the cursor. */
  | { do: 'step'; count: number }
  /** Step ◀ `count` times (no model call). */
  | { do: 'back'; count: number }
  /** Chooses, at the step the chart shows, the token of this 1-based rank by model probability (a branch). */
  | { do: 'choose-rank'; rank: number }
  /** Steps until EOS or the length limit. */
  | { do: 'run-to-end' }
  /** Jumps to the prompt (home). */
  | { do: 'home' }
  /** Starts autoplay and pauses it after `steps` new tokens: a user stop. */
  | { do: 'play-then-pause'; steps: number }
  /** Scores a text with teacher forcing (one parallel pass). */
  | { do: 'teacher'; text: string }
  /** Opens the attention view on this layer (0-based) and head (0-based or 'mean') and fetches the shown step's readout. */
  | { do: 'attention'; layer: number; head: number | 'mean' };

/**
 * A claim about what the app shows after a step's actions; checked live in the lesson panel and by
 * the lesson tests. Probabilities are model probabilities (softmax of the raw logits) unless named
 * final; "shown step" is the step the distribution chart shows.
 */
export type LessonClaim =
  /** Probability of the most likely token at the shown step lies in [min, max]. */
  | { kind: 'top-prob'; min?: number; max?: number }
  /** Probability of the end-of-sequence token at the shown step lies in [min, max]. */
  | { kind: 'eos-prob'; min?: number; max?: number }
  /** Shown tokens plus "all other tokens" add up to 1 (within 1e-6), over the whole vocabulary. */
  | { kind: 'sums-to-one' }
  /** Tokens still allowed after all processors at the shown step: at most `max`. */
  | { kind: 'kept-count'; max: number }
  /** Number of generated tokens on the current path. */
  | { kind: 'generated-count'; value: number }
  /** Where generation stopped at the current node. */
  | { kind: 'stop-reason'; reason: StopReason }
  /** 1-based rank (by model probability) of the last chosen token lies in [min, max]. */
  | { kind: 'chosen-rank'; min?: number; max?: number }
  /** The current token and a sibling were sampled with the same draw u but are different tokens. */
  | { kind: 'same-draw-different-token' }
  /** A run of ≥ `length` generated tokens occurs twice on the current path. */
  | { kind: 'repeats'; length: number }
  /** ONNX forward passes run by this step's actions lie in [min, max]. */
  | { kind: 'forward-passes'; min?: number; max?: number }
  /** The prompt holds at least `min` tokens. */
  | { kind: 'prompt-tokens'; min: number }
  /** Some token on the current path (prompt or generated) holds only part of a multi-byte character. */
  | { kind: 'partial-token' }
  /** Two different token ids on the prompt spell the same word, one with a leading space. */
  | { kind: 'leading-space-pair' }
  /** Beam search best hypothesis equals (true) or differs from (false) the greedy continuation. */
  | { kind: 'beam-equals-greedy'; value: boolean }
  /** The best beam hypothesis has a higher total log-probability than the greedy continuation. */
  | { kind: 'beam-beats-greedy' }
  /** Every beam step before the last one kept exactly `value` hypotheses. */
  | { kind: 'beams-kept'; value: number }
  /** Beam candidates pruned over the whole search: at least `min`. */
  | { kind: 'beam-pruned'; min: number }
  /** The best beam hypothesis ends with EOS (true) or at the length limit (false). */
  | { kind: 'beam-best-eos'; value: boolean }
  /** Teacher forcing scored at least `min` tokens. */
  | { kind: 'teacher-tokens'; min: number }
  /**
   * The current path branches from a sibling at depth 0, and the tokens after the first one are on
   * average less likely (mean model log-probability) on the current branch than on the sibling.
   */
  | { kind: 'branch-less-confident' }
  /** Target forward passes per token of the last speculative run lie at most at `max` (issue #21). */
  | { kind: 'spec-forwards-per-token'; max: number }
  /** Draft tokens the last speculative run accepted: at least `min`. */
  | { kind: 'spec-accepted'; min: number }
  /**
   * The current path, from where the last speculative run started, spells the same tokens as that
   * run with plain (non-speculative) edges: speculation did not change the text.
   */
  | { kind: 'same-as-speculative' }
  /** The generated text (a final EOS left out) is one of `options` (`value` true) or none of them (false). */
  | { kind: 'answer-in'; options: string[]; value: boolean }
  /** Attention at the shown step (issue #20): every head's weights add up to 1 (within 1e-5). Value: the sum furthest from 1. */
  | { kind: 'attn-sums-to-one' }
  /** Head `head` of layer `layer` (0-based) puts its largest weight, at least `min`, on the token just before the query. Value: that weight. */
  | { kind: 'attn-previous-token'; layer: number; head: number; min: number }
  /**
   * The query token occurred earlier (last such position j, j + 1 < query): no head of any layer
   * puts more than `max` on position j + 1, the token that followed it then. Value: the largest such weight.
   */
  | { kind: 'attn-after-earlier'; max: number }
  /** The query token occurred earlier, and the token that followed it then is not the shown step's top token. Value: its 1-based rank among the shown tokens, or null if not shown. */
  | { kind: 'repeat-not-predicted' }
  /** Logit lens: the embeddings' row reads as the query token itself. Value: its lens probability. */
  | { kind: 'lens-embedding-is-token' }
  /** Logit lens: every row from `layer` on has the model's top token on top, and the row before does not. Value: the first such layer. */
  | { kind: 'lens-settles'; layer: number };

/** One step of a lesson. */
export interface LessonStep {
  text: Localized;
  /** Performed in order when the step is entered. */
  actions: LessonAction[];
  /** The region the step talks about (highlighted and scrolled into view). */
  region: RegionId;
  claims: LessonClaim[];
}

/** A guided walkthrough. Its first step types a prompt before any other model action (a fresh tree). */
export interface Lesson {
  /** Stable id (kebab-case), also `data-lesson-id`. */
  id: string;
  title: Localized;
  steps: LessonStep[];
}
