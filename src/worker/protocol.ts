/**
 * The typed message protocol between the UI (client.ts) and the model worker.
 * Discriminated unions on `type`; every request carries an `id`, every answer
 * echoes it; results for a stale id are dropped by the client.
 */
import type { DistributionRecord, TokenStat } from '../engine/distribution.ts';
import type { DrawKey } from '../engine/random.ts';
import type { BeamHypothesis } from '../engine/beam.ts';
import type { EngineErrorCode } from '../engine/errors.ts';
import type { BeamSettings, SamplingSettings, Strategy } from '../engine/settings.ts';
import type { McHistogram } from '../engine/monteCarlo.ts';
import type { McTreeNode } from '../engine/mcTree.ts';
import type { ConstraintSpec } from '../engine/constraint/constraint.ts';
import type { Drafter, SpecRound } from '../engine/speculative.ts';
import type { Readout } from '../decoder/readout.ts';
export type { Readout, LensRow } from '../decoder/readout.ts';

export type { AnySource, BeamStepRecord, ChatMessage, Device, DevicePreference, EngineInfo, ModelInfo, ModelSource, ScoredToken, ServerSource } from '../domain/types.ts';
import type { AnySource, BeamStepRecord, ChatMessage, DevicePreference, ModelInfo, ModelSource, ScoredToken } from '../domain/types.ts';

export type { StepChoice } from '../engine/step.ts';
import type { VocabAddition } from '../domain/vocabGrowth.ts';
import type { StepChoice } from '../engine/step.ts';

export type WorkerRequest =
  | { type: 'load'; id: number; source: AnySource; device: DevicePreference; ortPath: string; modelsPath: string }
  | { type: 'cancel-load'; id: number }
  | { type: 'tokenize'; id: number; text: string; addSpecialTokens: boolean }
  /** Prompt ids from the tokenizer's chat template with the generation prompt (answered with `tokens`). */
  | { type: 'chat-tokenize'; id: number; messages: ChatMessage[]; /** match special-token strings in message text (default false) */ allowSpecial?: boolean }
  | {
      type: 'step';
      id: number;
      /** Node whose next-token distribution is wanted. */
      nodeId: number;
      /** Node ids from the root to nodeId (caches of ancestors are reused). */
      path: number[];
      /** Prompt + generated ids of nodeId. */
      ids: number[];
      /** With it, `path` and `ids` continue the previous main-lane position (pathDelta.ts). */
      keep?: number;
      strategy: Strategy;
      settings: SamplingSettings;
      topN: number;
      extraIds: number[];
      /** Draw key for sampling, null otherwise. */
      drawKey: DrawKey | null;
      /** Choose this token instead of the strategy's choice; null = the strategy chooses; 'none' = no choice (distribution only). */
      choose: number | null | 'none';
      /** The constraint on the generated text (issue #21); absent or null for none. */
      constraint?: ConstraintSpec | null;
      /** Also answer with the node's attention readout when the worker holds one (never computes one for it; issue #20). */
      readout?: boolean;
    }
  | { type: 'query'; id: number; nodeId: number; path: number[]; ids: number[]; keep?: number; settings: SamplingSettings; strategy: Strategy; tokenIds: number[]; constraint?: ConstraintSpec | null }
  /**
   * Run to end, in the worker: up to `count` greedy or sampled steps from node path.at(-1) (fewer
   * after a 'cancel-run'), each
   * exactly as a 'step' request with choose = null (same draw keys: depth = the parent's depth,
   * reroll = `firstReroll` for the first step and 0 after), streamed as 'run-step' messages, ending
   * with 'run-done'. New nodes get worker ids nextNodeId, nextNodeId + 1, … (the ids the main
   * thread will give them). Stops after EOS or the end-of-turn token.
   */
  | {
      type: 'run';
      id: number;
      path: number[];
      ids: number[];
      keep?: number;
      strategy: 'greedy' | 'sample';
      settings: SamplingSettings;
      topN: number;
      extraIds: number[];
      seed: number;
      startDepth: number;
      firstReroll: number;
      nextNodeId: number;
      count: number;
      /** The constraint on the generated text (issue #21); absent or null for none. */
      constraint?: ConstraintSpec | null;
    }
  /**
   * Speculative generation from a sequence (issue #21): rounds of drafts (prompt lookup or the draft
   * model) verified by one target forward each; answered with 'speculative-result'. The main thread
   * makes the emitted tokens tree edges (method 'speculative').
   */
  | {
      type: 'speculative';
      id: number;
      ids: number[];
      strategy: 'greedy' | 'sample';
      settings: SamplingSettings;
      drafter: Drafter;
      k: number;
      seed: number;
      maxNewTokens: number;
      /** Depth of the start node (the draw keys' depth of the first new token); default 0. */
      startDepth?: number;
      /** How many of `ids` are the prompt (the constraint covers the rest); default all of them. */
      promptLength?: number;
      /** The constraint stage, applied to the target's p (and a draft model's q) at every position. */
      constraint?: ConstraintSpec | null;
    }
  /**
   * Loads a draft model for speculative decoding beside the loaded model, or (source null) removes
   * it; answered with 'draft-loaded'. Its tokenizer must match the model's (same vocabulary bytes and
   * special ids), else an error `draft-tokenizer`.
   */
  | { type: 'load-draft'; id: number; source: ModelSource | null; device: DevicePreference; ortPath: string; modelsPath: string }
  | {
      type: 'beam';
      id: number;
      nodeId: number;
      path: number[];
      ids: number[];
      keep?: number;
      settings: BeamSettings;
      maxNewTokens: number;
    }
  /** Ends the 'run' request `runId` after its current step (answered with 'done'). */
  | { type: 'cancel-run'; id: number; runId: number }
  | { type: 'score-text'; id: number; text: string }
  /** Stops a running score-text request (`target` is its id) between positions; it answers with an error `cancelled`. */
  | { type: 'score-cancel'; id: number; target: number }
  /** Monte-Carlo: N samples from a node's final distribution under `settings` (draw keys in engine/monteCarlo.ts). */
  | { type: 'mc-sample'; id: number; nodeId: number; path: number[]; ids: number[]; keep?: number; settings: SamplingSettings; n: number; seed: number; depth: number; topM: number }
  /** Monte-Carlo: N continuations of up to `length` tokens from a node, merged into a tree (one batched forward per level). */
  | { type: 'mc-tree'; id: number; nodeId: number; path: number[]; ids: number[]; keep?: number; settings: SamplingSettings; n: number; length: number; seed: number; depth: number }
  /** Stops a running mc-tree request (`target` is its id); it answers with an error `cancelled`. */
  | { type: 'mc-cancel'; id: number; target: number }
  | { type: 'forget'; id: number; nodeIds: number[] | 'all' }
  /** Attention view open/closed (issue #20): forwards from now on also compute readouts, or not (answered with 'done'). */
  | { type: 'readouts'; id: number; on: boolean }
  /** A node's attention and logit-lens readout (answered with 'readout-result'). */
  | { type: 'readout'; id: number; nodeId: number; path: number[]; ids: number[]; keep?: number }
  | { type: 'stats'; id: number }
  | { type: 'crash-for-test'; id: number }
  /** Benchmarks (npm run bench): the floors the app's own work is compared with. */
  | { type: 'bench-raw-decode'; id: number; path: number[]; ids: number[]; keep?: number; reps: number; rows?: number }
  | { type: 'bench-generate'; id: number; ids: number[]; maxNewTokens: number }
  | { type: 'bench-math'; id: number; vocabSize: number; reps: number }
  /**
   * The constraint mask vs the distribution math on a synthetic vocabulary of `vocabSize` (issue #21):
   * 'follow' = `steps` steps along the bench JSON schema (ms = fresh mask walk per step, floorMs =
   * computeStep, applyMs = cached mask applied); 'worst' = the costliest state (inside a string) walked
   * `steps` times, alternated with computeStep.
   */
  | { type: 'bench-mask'; id: number; vocabSize: number; steps: number; mode: 'follow' | 'worst' };

export type WorkerResponse =
  | {
      type: 'load-progress';
      id: number;
      /** The file this event is about, its bytes so far and size, and its progress 0..1. */
      file: string;
      loaded: number;
      total: number;
      progress: number;
      /** Bytes so far over all files seen, their total, and that ratio 0..1. */
      loadedAll: number;
      totalAll: number;
      overall: number;
    }
  | { type: 'loaded'; id: number; info: ModelInfo }
  /** New vocabulary entries of a server whose vocabulary grows (src/domain/vocabGrowth.ts), posted before the answer that uses them. */
  | { type: 'vocab'; id: number; additions: VocabAddition[] }
  | { type: 'tokens'; id: number; ids: number[]; /** chat-tokenize: indices of special tokens typed in message text */ injected?: number[] }
  | {
      type: 'step-result';
      id: number;
      nodeId: number;
      record: DistributionRecord;
      choice: StepChoice | null;
      /**
       * True when the chosen token ends the sequence by the decoder's one stop rule (EOS or the
       * end-of-turn token); false when it does not or nothing was chosen.
       */
      stop: boolean;
      /** Forward passes run so far (ONNX session runs). */
      forwardCount: number;
      /** Time of the forward pass for this request (ms), 0 when served from cache. */
      forwardMs: number;
      /** Time the worker spent on the whole request: forward, processors, record (ms). */
      workerMs: number;
      phase: 'prefill' | 'decode' | 'cached';
      /** The node's attention readout, when asked and held (issue #20). */
      readout?: Readout;
    }
  | { type: 'query-result'; id: number; nodeId: number; stats: TokenStat[] }
  | { type: 'draft-loaded'; id: number; draft: { id: string; vocabSize: number } | null }
  | {
      type: 'speculative-result';
      id: number;
      tokens: number[];
      rounds: SpecRound[];
      /** Per token of `tokens`: model probability (raw softmax) and 1-based rank, for its tree edge. */
      stats: { prob: number; rank: number }[];
      targetForwards: number;
      draftForwards: number;
      ms: number;
    }
  /** One step of a 'run' request: the record of the parent node and the chosen token (as 'step-result'). */
  | {
      type: 'run-step';
      id: number;
      record: DistributionRecord;
      choice: StepChoice;
      /** True when the chosen token ends the sequence (EOS or end-of-turn; the run ends with it). */
      stop: boolean;
      forwardCount: number;
      forwardMs: number;
      phase: 'prefill' | 'decode' | 'cached';
    }
  | { type: 'run-done'; id: number; steps: number; forwardCount: number }
  | { type: 'beam-step'; id: number; record: BeamStepRecord; forwardCount: number }
  | { type: 'beam-done'; id: number; hypotheses: BeamHypothesis[]; forwardCount: number }
  | { type: 'mc-result'; id: number; histogram: McHistogram; forwardCount: number }
  | { type: 'mc-tree-result'; id: number; nodes: McTreeNode[]; forwardCount: number }
  | { type: 'score-result'; id: number; tokens: ScoredToken[]; forwardCount: number; windows: number }
  /** A score-text request's progress: text tokens covered so far of all (teacherForcing.ts ScoreHooks). */
  | { type: 'score-progress'; id: number; done: number; total: number }
  | { type: 'stats-result'; id: number; liveTensors: number; cacheBytes: number; snapshots: number; forwardCount: number; disposedTwice: number; budgetBytes: number; evictions: number; rebuilds: number; rebuiltTokens: number }
  | { type: 'done'; id: number }
  | { type: 'readout-result'; id: number; nodeId: number; readout: Readout; forwardCount: number }
  | { type: 'bench-result'; id: number; ms: number[]; floorMs?: number[]; applyMs?: number[] }
  | { type: 'error'; id: number; code: EngineErrorCode; message: string };
