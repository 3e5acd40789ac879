/**
 * The app store (zustand, vanilla core + React hook). Slices: model, settings,
 * session (prompt, tree, cursor, records), ui. No math here: numbers come from
 * the worker (src/engine via src/worker); actions live in controller.ts.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import type { DistributionRecord, TokenStat } from '../engine/distribution.ts';
import { createTree, type GenerationTree } from '../engine/tree.ts';
import { HF_ORDER, type BeamSettings, type ProcessorOrderName, type SamplingSettings, type Strategy } from '../engine/settings.ts';
import type { EngineErrorCode } from '../engine/errors.ts';
import type { BeamHypothesis } from '../engine/beam.ts';
import type { BeamStepRecord, DevicePreference, ModelInfo, ModelSource, ScoredToken } from '../worker/protocol.ts';

export type Language = 'en' | 'zh-Hans' | 'zh-Hant';

export interface AppError {
  code: EngineErrorCode;
  message: string;
}

export interface ModelSlice {
  status: 'idle' | 'loading' | 'ready' | 'error';
  info: ModelInfo | null;
  source: ModelSource | null;
  devicePref: DevicePreference;
  progress: number;
  progressFile: string;
  loadError: AppError | null;
  /** ONNX session runs so far (for tests and the status bar). */
  forwardCount: number;
  /** Last forward pass time (ms). */
  lastForwardMs: number;
  /** Decode throughput over recent steps (tokens/s). */
  tokensPerSec: number;
}

export interface SettingsSlice {
  strategy: Strategy;
  sampling: SamplingSettings;
  orderName: ProcessorOrderName;
  beam: BeamSettings;
  seed: number;
  maxNewTokens: number;
  topN: number;
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
  tree: GenerationTree;
  cursor: number;
}

export interface SessionSlice {
  prompt: string;
  tree: GenerationTree;
  cursor: number;
  records: Record<number, StoredRecord>;
  /** Entropy [raw, final] in bits of the step that produced each node. */
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
  readOnly: { modelId: string; sourceKind: 'embedded' | 'hub' | 'folder' } | null;
  /** A saved session that failed validation. */
  sessionProblem: string | null;
  tf: { text: string; tokens: ScoredToken[]; windows: number } | null;
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
}

export type AppState = ModelSlice & SettingsSlice & SessionSlice & UiSlice;

export const DEFAULT_SETTINGS: SettingsSlice = {
  strategy: 'greedy',
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
    loadError: null,
    forwardCount: 0,
    lastForwardMs: 0,
    tokensPerSec: 0,
    ...DEFAULT_SETTINGS,
    prompt: '',
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
    tf: null,
    language,
    presenter: false,
    stage: null,
    showLogprob: false,
    speedMs: 600,
    showCard: false,
    announcement: '',
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
