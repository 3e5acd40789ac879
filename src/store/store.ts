/**
 * The app store (zustand, vanilla core + React hook). Slices: model, settings,
 * session (prompt, tree, cursor, records), ui. No math here: numbers come from
 * the worker (src/engine via src/worker); actions live in src/store/actions/ (bound in
 * controller.ts), selectors in selectors.ts.
 */
import type { ConstraintSpec } from '../engine/constraint/constraint.ts';
import type { SpecRound } from '../engine/speculative.ts';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import type { DistributionRecord, TokenStat } from '../engine/distribution.ts';
import { createTree, type GenerationTree, type StopReason } from '../engine/tree.ts';
import { HF_ORDER, type BeamSettings, type ProcessorOrderName, type SamplingSettings, type Strategy } from '../engine/settings.ts';
import type { EngineErrorCode } from '../engine/errors.ts';
import type { BeamHypothesis } from '../engine/beam.ts';
import type { AnySource, BeamStepRecord, ChatMessage, DevicePreference, Language, ModelInfo, ScoredToken } from '../domain/types.ts';
import type { CachedModel } from '../models/browserCache.ts';

export type { Language };

export interface AppError {
  code: EngineErrorCode;
  message: string;
}

export interface ModelSlice {
  status: 'idle' | 'loading' | 'ready' | 'error';
  info: ModelInfo | null;
  /** The loaded model's source (a server source carries its API key: memory only, never saved). */
  source: AnySource | null;
  devicePref: DevicePreference;
  progress: number;
  progressFile: string;
  /** Fraction (0..1) of `progressFile` loaded. */
  progressFileFraction: number;
  loadError: AppError | null;
  /**
   * A model worker is up and answering requests: false before the first load and from a worker crash
   * until its replacement has loaded the model again (the status stays `ready` meanwhile).
   */
  workerReady: boolean;
  /** ONNX session runs so far (for tests and the status bar). */
  forwardCount: number;
  /** Last forward pass time (ms). */
  lastForwardMs: number;
  /** Decode throughput over recent steps (tokens/s). */
  tokensPerSec: number;
  /** Download of the model loading now: bytes so far and the total known so far (bytes), files finished / seen. */
  loadBytes: number;
  loadTotalBytes: number;
  loadFilesDone: number;
  loadFiles: number;
  /** Hub models in the browser's Cache Storage; null until read. */
  cachedModels: CachedModel[] | null;
  /** Why Cache Storage could not be read: `unavailable` (no Cache Storage, e.g. an insecure origin) or the browser's message; else null. */
  cacheError: string | null;
}

export interface SettingsSlice {
  strategy: Strategy;
  sampling: SamplingSettings;
  orderName: ProcessorOrderName;
  beam: BeamSettings;
  seed: number;
  maxNewTokens: number;
  topN: number;
  /** The constraint on the generated text (issue #21); absent = none. */
  constraint?: ConstraintSpec;
}

/** A record kept for a node, tagged with the settings it was computed under. */
export interface StoredRecord {
  key: string;
  record: DistributionRecord;
}

export interface BeamRun {
  startNode: number;
  steps: BeamStepRecord[];
  hypotheses: BeamHypothesis[] | null;
  /** Which step the beam tree shows (0-based), stepping through one at a time. */
  viewStep: number;
  /** Greedy continuation from the same start, for comparison. */
  greedyIds: number[];
}

export interface HistoryEntry {
  prompt: string;
  /** The conversation when the prompt came from the chat template. */
  chat?: ChatMessage[] | null;
  tree: GenerationTree;
  cursor: number;
}

export interface SessionSlice {
  prompt: string;
  /**
   * Chat mode: the conversation whose chat-template rendering is the prompt (the plain `prompt` is
   * kept for when chat mode is turned off); null = the plain prompt.
   */
  chat: ChatMessage[] | null;
  /** Chat mode: special-token strings typed in messages become special tokens (off: they are text). */
  chatAllowSpecial: boolean;
  /** Chat mode: positions of prompt tokens that are special tokens typed in message text, for the prompt ids `key` (joined). */
  promptInjected: { key: string; at: number[] } | null;
  tree: GenerationTree;
  cursor: number;
  /**
   * The distribution record of each node of `tree`. Grows in place (a step adds one entry without
   * copying the others, so a step costs the same after 10,000 nodes as after 10, issue #19); every
   * new tree gets a new object. Read it by key (a selector of `records[id]`), never by identity.
   */
  records: Record<number, StoredRecord>;
  /** Entropy [raw, final] in bits of the step that produced each node; grows in place like `records`. */
  stepEntropy: Record<number, [number, number]>;
  beamRun: BeamRun | null;
  history: HistoryEntry[];
  busy: boolean;
  /**
   * `busy` as the buttons show it: true only once a request has taken longer than BUSY_SHOWN_AFTER_MS.
   * A fast step then causes no render between its request and its result (bench P1).
   */
  busyShown: boolean;
  playing: boolean;
  error: AppError | null;
  /** A prompt problem (too long, empty without BOS): no tree until fixed. */
  promptError: AppError | null;
  query: { text: string; ids: number[]; stats: TokenStat[] } | null;
  /** Set when browser storage failed: the session lives in memory only. */
  storageNotice: string | null;
  /** Set while a session made with another model is shown from its recorded distributions only. */
  readOnly: { modelId: string; sourceKind: 'embedded' | 'hub' | 'folder' | 'server'; /** A server session's host (issue #16: reconnect is offered, never automatic). */ host?: string } | null;
  /** A saved session that failed validation. */
  sessionProblem: string | null;
  /** Where `sessionProblem` came from: the saved session (discarded), an imported file or a share link (the current session is kept). */
  sessionProblemSource: 'saved' | 'import' | 'share';
  tf: { text: string; tokens: ScoredToken[]; windows: number } | null;
  /** A running teacher forcing: text tokens covered so far of all (null when none runs or before its first report). */
  tfProgress: { done: number; total: number } | null;
  /** The last speculative run (issue #21): its rounds and forward counts (its kept tokens are tree edges under `startNode`). */
  specRun: { startNode: number; tokens: number[]; rounds: SpecRound[]; targetForwards: number; draftForwards: number; ms: number } | null;
  /** The draft model loaded for speculative decoding beside the model (same tokenizer, checked in the worker), or null. */
  specDraft: { id: string; vocabSize: number } | null;
  /** Why the last draft model could not be used (e.g. `draft-tokenizer`), null when fine. */
  specDraftError: AppError | null;
  /** A draft model is being loaded. */
  specDraftLoading: boolean;
}

export interface UiSlice {
  language: Language;
  presenter: boolean;
  /** Stage index shown by the chart; null = final. */
  stage: number | null;
  showLogprob: boolean;
  speedMs: number;
  showCard: boolean;
  /** Screen-reader announcement of the current step. */
  announcement: string;
  /** A new version of the app is installed and waits for a reload (src/pwa/register.ts). */
  updateReady: boolean;
}

/** Decoding settings of compare mode's pane B (seed, top-N and max new tokens are shared with pane A). */
export interface ComparePaneSettings {
  strategy: Strategy;
  sampling: SamplingSettings;
  orderName: ProcessorOrderName;
  beam: BeamSettings;
}

/** One generated token of pane B (greedy or sampling), with the distribution it was chosen from. */
export interface CompareStep {
  tokenId: number;
  /** Model probability (softmax of raw logits) and probability after the processors. */
  prob: number;
  finalProb: number;
  /** The uniform draw u (sampling only). */
  u: number | null;
  record: DistributionRecord;
}

/** The distributions of both panes at the first step where their tokens differ. */
export interface CompareDivergence {
  /** 0-based index of the generated token where the panes part. */
  step: number;
  a: { tokenId: number; record: DistributionRecord | null; u: number | null };
  b: { tokenId: number; record: DistributionRecord | null; u: number | null };
}

/** Compare mode: pane A is the main session; pane B is a second lane on the same prompt, model and seed. */
export interface CompareSlice {
  compare: {
    on: boolean;
    preset: 'temperature' | 'top-p-min-p' | 'greedy-beam' | 'custom';
    b: ComparePaneSettings;
    /** Pane B's tokens (greedy or sampling). */
    steps: CompareStep[];
    /** Set when pane B stopped (EOS or max new tokens). */
    stop: StopReason | null;
    /** Pane B's beam search (beam strategy): every streamed step and the step shown (−1 = none yet). */
    beam: { steps: BeamStepRecord[]; hypotheses: BeamHypothesis[] | null; viewStep: number } | null;
    divergence: CompareDivergence | null;
    busy: boolean;
    error: AppError | null;
  };
}

export type AppState = ModelSlice & SettingsSlice & SessionSlice & UiSlice & CompareSlice;

/** Pane B before any preset: the default settings with temperature 1.2 sampling. */
export const DEFAULT_COMPARE: CompareSlice['compare'] = {
  on: false,
  preset: 'custom',
  b: { strategy: 'sample', sampling: { temperature: 1.2, topK: 0, topP: 1, minP: 0, repetitionPenalty: 1, order: HF_ORDER }, orderName: 'hf', beam: { beamWidth: 3, lengthPenalty: 1, earlyStopping: 'false', repetitionPenalty: 1 } },
  steps: [],
  stop: null,
  beam: null,
  divergence: null,
  busy: false,
  error: null,
};

export const DEFAULT_SETTINGS: SettingsSlice = {
  // sampling: the first chart a student sees is a distribution to draw from, not a verdict
  strategy: 'sample',
  sampling: { temperature: 1, topK: 0, topP: 1, minP: 0, repetitionPenalty: 1, order: HF_ORDER },
  orderName: 'hf',
  beam: { beamWidth: 3, lengthPenalty: 1, earlyStopping: 'false', repetitionPenalty: 1 },
  seed: 42,
  maxNewTokens: 32,
  topN: 20,
};

export function initialState(language: Language = 'en'): AppState {
  return {
    status: 'idle',
    info: null,
    source: null,
    devicePref: 'auto',
    progress: 0,
    progressFile: '',
    progressFileFraction: 0,
    loadError: null,
    workerReady: false,
    forwardCount: 0,
    lastForwardMs: 0,
    tokensPerSec: 0,
    loadBytes: 0,
    loadTotalBytes: 0,
    loadFilesDone: 0,
    loadFiles: 0,
    cachedModels: null,
    cacheError: null,
    ...DEFAULT_SETTINGS,
    prompt: '',
    chat: null,
    chatAllowSpecial: false,
    promptInjected: null,
    tree: createTree([]),
    cursor: 0,
    records: {},
    stepEntropy: {},
    beamRun: null,
    history: [],
    busy: false,
    busyShown: false,
    playing: false,
    error: null,
    promptError: null,
    query: null,
    storageNotice: null,
    readOnly: null,
    sessionProblem: null,
    sessionProblemSource: 'saved',
    tf: null,
    tfProgress: null,
    specRun: null,
    specDraft: null,
    specDraftError: null,
    specDraftLoading: false,
    language,
    presenter: false,
    stage: null,
    showLogprob: false,
    speedMs: 600,
    showCard: false,
    announcement: '',
    compare: DEFAULT_COMPARE,
    updateReady: false,
  };
}

export type AppStore = StoreApi<AppState>;

/** A framework-free store; tests create their own. */
export function createAppStore(language: Language = 'en'): AppStore {
  return createStore<AppState>()(() => initialState(language));
}

export const appStore: AppStore = createAppStore();

/** React hook over the app store with a selector. */
export function useApp<T>(selector: (s: AppState) => T): T {
  return useStore(appStore, selector);
}

/** React hook for a derived object/array, compared shallowly. */
export function useAppShallow<T>(selector: (s: AppState) => T): T {
  return useStore(appStore, useShallow(selector));
}
