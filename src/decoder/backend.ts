/**
 * The seam between the decoder and a model engine. A backend is what an engine must give: its
 * vocabulary and special tokens, tokenize/decode, a chat template if it has one, and a forward pass
 * over rows of new tokens appended to cached prefixes that returns scores for the new positions.
 * Everything else — the tree-keyed caches, every decode loop, the stop rule, the sampling rules and
 * the records — belongs to the decoder (src/decoder) and the engine math (src/engine), so a step
 * means the same on every engine.
 *
 * Engines differ in what they can give; `BackendCapabilities` says what, and the decoder (and the UI
 * through it) decides from it what it may offer — never silently approximating what is missing.
 * Implementations: the ONNX Runtime / transformers.js backend (src/worker/ortBackend.ts: raw logits,
 * whole vocabulary, every position, batched rows), the scripted test model (tests: logits only),
 * and later a server backend (llama.cpp / vLLM / Ollama over HTTP: top-N log-probabilities) and a
 * speculative draft backend (the decoder may hold two backends with the same vocabulary at once).
 *
 * Pure TypeScript: no DOM, no transformers.js, no fetch. Every call that may reach an engine is
 * asynchronous, so a backend across a network fits the same interface.
 */
import type { ChatMessage, ModelInfo } from '../worker/protocol.ts';

/** What scores an engine reports for a position. */
export type ScoreKind =
  /** Raw, unnormalised logits (what the repetition penalty and temperature act on). */
  | 'logits'
  /** Natural-log probabilities (log-softmax of the engine's own logits); no raw logits exist. */
  | 'logprobs';

/**
 * Constraints an engine can apply itself while scoring (the engine masks tokens before it reports
 * scores, e.g. llama.cpp `grammar`, vLLM `guided_json`). The decoder applies its own constraints on
 * any backend; these are only for engines that can do it faster or must do it (no whole vocabulary).
 */
export type EngineConstraintKind = 'allowed-tokens' | 'regex' | 'json-schema' | 'gbnf';

/** One constraint handed to the engine with a forward (its kind must be in `capabilities.constraints`). */
export type EngineConstraint =
  | { kind: 'allowed-tokens'; tokenIds: readonly number[] }
  | { kind: 'regex'; pattern: string }
  | { kind: 'json-schema'; schema: unknown }
  | { kind: 'gbnf'; grammar: string };

/**
 * What a backend can give. The decoder reads these before it asks: a request the capabilities rule
 * out fails with EngineError `invalid-setting` naming the missing capability (never an approximation), and the UI shows the reason.
 */
export interface BackendCapabilities {
  /**
   * `'logits'`: raw logits (every processor, the repetition penalty included, is exact).
   * `'logprobs'`: only log-probabilities (temperature and filters still apply exactly to
   * log-softmax scores — a constant shift per row — but the repetition penalty, which acts on raw
   * logits, cannot be reproduced exactly).
   */
  scores: ScoreKind;
  /**
   * `'full'`: a score for every vocabulary id. A number N: only the N best per position (a server's
   * `top_logprobs`/`n_probs`); the rest of the vocabulary is unknown mass, so full-vocabulary views
   * (entropy, rest mass, a sampled token outside the top N) are limited to what N covers.
   */
  vocabulary: 'full' | number;
  /**
   * `'all'`: scores at every new position of a row (teacher forcing, speculative verification,
   * server prompt log-probabilities). `'last'`: only after a row's last new token.
   */
  positions: 'all' | 'last';
  /**
   * `'ids'`: the engine speaks token ids (tokenize returns them, forward takes them).
   * `'text'`: it reports tokens only as text and bytes (Ollama); the backend maps each text to a
   * stable id of its own vocabulary as it sees it, and `Vocabulary` grows with them.
   */
  tokens: 'ids' | 'text';
  /** Most rows one forward accepts (1 when the engine runs one sequence at a time; beam search then runs k forwards per level). */
  maxRows: number;
  /** True when a forward can also return attention weights (`ForwardOptions.attention`). */
  attention: boolean;
  /** True when a forward can also return hidden states (`ForwardOptions.hiddenStates`). */
  hiddenStates: boolean;
  /** True when a forward can also return the logit lens (`ForwardOptions.lens`); absent means false. */
  lens?: boolean;
  /** Constraints the engine applies itself (empty: none). */
  constraints: readonly EngineConstraintKind[];
}

/**
 * An opaque handle to the engine's cache of a token prefix (a KV cache for a local model; for a
 * server, whatever lets it resend or reuse the prefix). Created by `forward`, owned by whoever
 * received it until passed to `release` exactly once. A handle stays valid until released, whatever
 * other forwards run meanwhile (a backend must never let a later forward dispose or overwrite it).
 */
export interface PrefixCache {
  /** Tokens the cache covers (the prefix length). */
  readonly length: number;
  /** Bytes this handle holds (its share when handles share storage), for the decoder's memory budget. */
  readonly bytes: number;
}

/** One row of a forward: new tokens appended to a cached prefix (null: the empty prefix). */
export interface ForwardRow {
  prefix: PrefixCache | null;
  /** New token ids (at least one), appended after the prefix. */
  tokens: readonly number[];
}

export interface ForwardOptions {
  /**
   * Positions to score: `'last'` (the next-token distribution after each row) or `'all'` (after each
   * new token; needs `capabilities.positions === 'all'`). Default `'last'`.
   */
  positions?: 'last' | 'all';
  /** Return a cache handle per row covering prefix + tokens (default true; false for a one-off pass such as teacher forcing). */
  keepCache?: boolean;
  /** Also return attention weights (needs `capabilities.attention`). */
  attention?: boolean;
  /** Also return hidden states (needs `capabilities.hiddenStates`). */
  hiddenStates?: boolean;
  /** Also return the logit lens of row 0's last new position (needs `capabilities.lens`). */
  lens?: boolean;
  /** A constraint the engine applies before scoring (its kind in `capabilities.constraints`). */
  constraint?: EngineConstraint;
  /**
   * An engine that scores `'all'` positions one request at a time (a server without
   * `prompt_logprobs`) calls this after each request: positions scored so far of `total` (all rows).
   */
  onPosition?: (done: number, total: number) => void;
  /** Checked before each such request: true stops the forward with EngineError `cancelled`. */
  cancelled?: () => boolean;
}

/**
 * Scores of one row's scored positions.
 * - `coverage: 'full'`: `values` is Float32Array [positions × vocabSize], row-major; position p is
 *   `values.subarray(p * vocabSize, (p + 1) * vocabSize)`, of `kind` (logits or natural-log probs).
 * - `coverage: 'top'`: per position, the best ids (descending score) and their natural-log
 *   probabilities; the ids not listed are unknown.
 * With `positions: 'last'` there is one position (after the last new token); with `'all'`, one per
 * new token, position p scoring the token after `tokens[p]`.
 */
export type RowScores =
  | { coverage: 'full'; kind: ScoreKind; positions: number; values: Float32Array }
  | { coverage: 'top'; kind: 'logprobs'; positions: TopScores[] };

/** The top-N of one position (`coverage: 'top'`). */
export interface TopScores {
  /** Token ids, by descending log-probability. */
  tokenIds: Int32Array;
  /** Natural-log probabilities (nats), same order. */
  logprobs: Float32Array;
  /**
   * The engine's own 1-based rank of each listed id over the whole vocabulary, when it says (vLLM
   * `prompt_logprobs` lists the prompt's token with its rank even outside the top N); 0 = not given.
   */
  ranks?: Int32Array;
}

export interface ForwardResult {
  /** One entry per input row, in order. */
  rows: RowScores[];
  /** With `keepCache` (default): one new handle per row covering its prefix + tokens; the caller releases each. Else null. */
  caches: PrefixCache[] | null;
  /** Wall time of the engine call (ms). */
  ms: number;
  /** Attention weights per layer when asked: [rows, heads, newTokens, prefix + newTokens] row-major, with dims. */
  attention?: { dims: readonly number[]; values: Float32Array }[];
  /** Hidden states per layer when asked: [rows, newTokens, hiddenSize] row-major, with dims. */
  hiddenStates?: { dims: readonly number[]; values: Float32Array }[];
  /**
   * Logit lens when asked: [layers + 1, vocabSize] raw logits of row 0 at its last new position —
   * row 0 the embeddings, row i the residual stream after block i, each through the model's final
   * norm and unembedding (the last row equals that position's logits).
   */
  lens?: { dims: readonly number[]; values: Float32Array };
}

/** Counters a backend keeps for tests and the stats message. */
export interface BackendStats {
  /** Engine calls run so far (one per `forward`). */
  forwardCount: number;
  /** Cache handles released a second time (a bug; must stay 0). */
  disposedTwice: number;
  /** Engine tensors or buffers held by live handles. */
  liveTensors: number;
}

/**
 * A model engine as the decoder sees it.
 *
 * Vocabulary and special tokens live in `info` (the description the worker sends the UI):
 * `vocabSize`, `vocabBytes`/`vocabOffsets` (each id's bytes), `vocabPieces`, `special`,
 * `pieceEncoding`; `bosTokenId`, `eosTokenId`, `endOfTurnTokenId`; `contextLength` is the most
 * tokens a prefix plus new tokens may cover.
 *
 * Calls may overlap from the backend's point of view only if it says nothing otherwise; the decoder
 * runs one model call at a time per backend anyway (its queue).
 */
export interface ModelBackend {
  readonly info: ModelInfo;
  readonly capabilities: BackendCapabilities;

  /**
   * Token ids of a text. With `addSpecialTokens` the tokenizer adds what the model expects around a
   * text (e.g. Llama's BOS); GPT-2-style tokenizers add nothing.
   */
  tokenize(text: string, addSpecialTokens: boolean): Promise<number[]>;

  /** Text of ids, exactly (special tokens kept, no clean-up). */
  decode(ids: readonly number[]): Promise<string>;

  /**
   * Prompt ids of a conversation through the model's own chat template, ending with the generation
   * prompt that opens the assistant's turn. Absent when the model has no template
   * (`info.hasChatTemplate` false).
   * @throws EngineError `chat-template` when rendering fails
   */
  applyChatTemplate?(messages: readonly ChatMessage[]): Promise<number[]>;

  /**
   * As applyChatTemplate, choosing whether special-token strings typed in the messages' text become
   * special tokens (`allowSpecial`), with the positions of those that did (`injected`). Absent: the
   * backend cannot tell, and applyChatTemplate's ids are used with nothing marked injected.
   * @throws EngineError `chat-template` when rendering fails
   */
  chatTemplateTokens?(messages: readonly ChatMessage[], allowSpecial: boolean): Promise<{ ids: number[]; injected: number[] }>;

  /**
   * One engine call over `rows` (at most `capabilities.maxRows`): each row's new tokens appended to
   * its prefix. Rows may share a prefix handle. All rows must have the same number of new tokens and
   * prefixes of the same length. Input handles stay valid (the caller still owns them).
   * @throws EngineError `context-overflow` when prefix + tokens exceed `info.contextLength`;
   *   `invalid-setting` for an option the capabilities rule out (finite scores are the decoder's check, not the backend's)
   */
  forward(rows: readonly ForwardRow[], options?: ForwardOptions): Promise<ForwardResult>;

  /** Frees a handle from `forward`. A second release of the same handle is counted in `stats().disposedTwice` and ignored. */
  release(cache: PrefixCache): void;

  stats(): BackendStats;

  /** Frees everything the backend holds (its weights, sessions, connections). Handles are invalid afterwards. */
  dispose(): Promise<void>;
}

/**
 * True when two backends share one vocabulary (same size and the same bytes for every id, same
 * special tokens), so token ids mean the same in both — what a target and its draft model need.
 */
export function sameVocabulary(a: ModelInfo, b: ModelInfo): boolean {
  if (a.vocabSize !== b.vocabSize || a.eosTokenId !== b.eosTokenId || a.bosTokenId !== b.bosTokenId || a.endOfTurnTokenId !== b.endOfTurnTokenId) return false;
  if (a.vocabBytes.length !== b.vocabBytes.length || a.vocabOffsets.length !== b.vocabOffsets.length) return false;
  for (let i = 0; i < a.vocabOffsets.length; i++) if (a.vocabOffsets[i] !== b.vocabOffsets[i]) return false;
  for (let i = 0; i < a.vocabBytes.length; i++) if (a.vocabBytes[i] !== b.vocabBytes[i]) return false;
  return true;
}
