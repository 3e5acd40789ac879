/**
 * Error codes the engine and worker raise; the UI maps each to a translated message.
 * String union, not an enum (see STYLE.md).
 */
export type EngineErrorCode =
  | 'invalid-setting'
  | 'non-finite-logits'
  | 'context-overflow'
  | 'empty-prompt'
  | 'model-load'
  | 'model-missing-file'
  | 'model-not-causal-lm'
  | 'model-fetch'
  | 'cancelled'
  | 'worker-crash'
  /** The tokenizer has no chat template, or rendering it failed. */
  | 'chat-template'
  /** The tree holds MAX_TREE_NODES nodes: it cannot grow (see engine/tree.ts). */
  | 'tree-full'
  /** A model server failed (src/worker/server: the message starts with its ServerErrorCode, e.g. `unreachable: …`). */
  | 'server'
  /** A draft model for speculative decoding has another tokenizer than the loaded model (issue #21). */
  | 'draft-tokenizer'
  | 'unknown';

/** An error carrying a stable code for the UI. */
export class EngineError extends Error {
  readonly code: EngineErrorCode;
  constructor(code: EngineErrorCode, message: string) {
    super(message);
    this.name = 'EngineError';
    this.code = code;
  }
}
