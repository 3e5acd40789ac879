/**
 * The server engine as a decoder backend (ModelBackend over HTTP, issue #16). This file: the llama.cpp
 * dialect with the whole vocabulary, the path tested live. Each forward row is one `/completion`
 * request whose prompt is the row's prefix ids + new tokens, on a slot pinned per row (`id_slot`,
 * so each row keeps its own prompt cache on the server); the answer's log-probabilities over every
 * id become the row's scores (`kind: 'logprobs'` — softmax of them is the model's probabilities, and
 * temperature, top-k, top-p and min-p are shift-invariant, so they act on them exactly; the
 * repetition penalty, which acts on raw logits, is not exact and the UI says so).
 * Prefix handles hold the ids only: the server keeps the KV cache.
 */
import type { BackendCapabilities, BackendStats, ForwardOptions, ForwardResult, ForwardRow, ModelBackend, PrefixCache, RowScores } from '../../decoder/backend.ts';
import { EngineError } from '../../engine/errors.ts';
import type { ChatMessage, ModelInfo } from '../protocol.ts';
import { ServerError } from './errors.ts';
import type { LlamaCppClient } from './llamacpp.ts';
import type { NextTokenScores } from './types.ts';
import { locateContents, markedMessages, sentinelsFor, splitAtAddedTokens, type AddedToken } from '../chatTokenize.ts';

/** A prefix on the server: its ids (the server's prompt cache holds the KV). */
export class ServerPrefix implements PrefixCache {
  readonly length: number;
  /** Ids bytes counted against the decoder's cache budget (the KV lives on the server). */
  readonly bytes: number;
  released = false;
  constructor(readonly ids: readonly number[]) {
    this.length = ids.length;
    this.bytes = ids.length * 4;
  }
}

/**
 * The server backends' prefix handles (llama.cpp whole-vocabulary and top-N): made for each forward row
 * kept, released once, counted for the decoder's leak checks (the KV itself lives on the server).
 */
export class ServerPrefixes {
  private twice = 0;
  private live = 0;

  /**
   * The ids a forward row continues from: its prefix's ids, none for no prefix.
   * @throws RangeError for a prefix this backend did not make, or one used after release
   */
  idsOf(prefix: PrefixCache | null): readonly number[] {
    if (!prefix) return [];
    if (!(prefix instanceof ServerPrefix)) throw new RangeError('not a server prefix');
    if (prefix.released) throw new RangeError('prefix used after release');
    return prefix.ids;
  }

  /** Handles for the rows' full id sequences when the caller keeps them, else null. */
  make(seqs: readonly (readonly number[])[], keep: boolean): ServerPrefix[] | null {
    if (!keep) return null;
    this.live += seqs.length;
    return seqs.map((ids) => new ServerPrefix(ids));
  }

  /** Releases a handle; a second release is counted (`disposedTwice`), not thrown. */
  release(cache: PrefixCache): void {
    const c = cache as ServerPrefix;
    if (c.released) {
      this.twice++;
      return;
    }
    c.released = true;
    this.live--;
  }

  /** The backend's stats, with its forward count. */
  stats(forwardCount: number): BackendStats {
    return { forwardCount, disposedTwice: this.twice, liveTensors: this.live };
  }
}

/** A ServerError as the decoder's EngineError (code `server`, message `<server code>: <text>`; context-full as `context-overflow`). */
export function toEngineError(e: unknown): unknown {
  if (!(e instanceof ServerError)) return e;
  if (e.code === 'context-full') return new EngineError('context-overflow', e.message);
  if (e.code === 'cancelled') return new EngineError('cancelled', e.message);
  return new EngineError('server', `${e.code}: ${e.message}${e.detail && e.detail !== 'unreachable-or-cors' ? ` (${e.detail.slice(0, 200)})` : ''}`);
}

/** Log-probabilities of one answer as a dense vector over the vocabulary (every id must be present). */
export function denseLogprobs(answer: NextTokenScores, vocabSize: number): Float32Array {
  if (answer.top.length !== vocabSize) throw new EngineError('server', `bad-answer: ${answer.top.length} of ${vocabSize} tokens reported`);
  const out = new Float32Array(vocabSize).fill(Number.NaN);
  for (const t of answer.top) {
    const id = t.tokenId;
    if (id === null || id < 0 || id >= vocabSize) throw new EngineError('server', `bad-answer: token id ${id} outside the vocabulary`);
    // llama.cpp sends the lowest float for probability 0
    out[id] = t.logprob < -1e30 ? -Infinity : t.logprob;
  }
  for (let i = 0; i < vocabSize; i++) if (Number.isNaN(out[i])) throw new EngineError('server', `bad-answer: token ${i} missing`);
  return out;
}

export class LlamaCppBackend implements ModelBackend {
  readonly capabilities: BackendCapabilities;
  private forwards = 0;
  private readonly prefixes = new ServerPrefixes();

  constructor(readonly info: ModelInfo, private readonly client: LlamaCppClient, slots: number) {
    this.capabilities = {
      scores: 'logprobs', vocabulary: 'full', positions: 'all', tokens: 'ids',
      maxRows: Math.max(1, slots), attention: false, hiddenStates: false, constraints: [],
    };
  }

  tokenize(text: string, addSpecialTokens: boolean): Promise<number[]> {
    // special-token text becomes its control token, as transformers.js's tokenizer does
    return this.client.tokenize(text, { parseSpecial: true, addSpecial: addSpecialTokens }).catch((e) => { throw toEngineError(e); });
  }

  decode(ids: readonly number[]): Promise<string> {
    return this.client.detokenize(ids).catch((e) => { throw toEngineError(e); });
  }

  async applyChatTemplate(messages: readonly ChatMessage[]): Promise<number[]> {
    if (!this.info.hasChatTemplate) throw new EngineError('chat-template', `${this.info.id} has no chat template`);
    try {
      const text = await this.client.applyTemplate(messages);
      return await this.client.tokenize(text, { parseSpecial: true });
    } catch (e) {
      throw e instanceof ServerError && e.code !== 'unreachable' ? new EngineError('chat-template', e.message) : toEngineError(e);
    }
  }

  /** The vocabulary's control tokens with their text (found at connect time, `info.special`). */
  private controlTokens(): AddedToken[] {
    const out: AddedToken[] = [];
    this.info.special.forEach((flag, id) => {
      const content = this.info.vocabPieces[id];
      if (flag && content) out.push({ content, id, lstrip: false, rstrip: false });
    });
    return out;
  }

  /**
   * The chat template's ids where special-token strings typed in message text stay text unless
   * `allowSpecial` (issue #19), as src/worker/chatTokenize.ts does for transformers.js: the server
   * renders the template (`/apply-template`) with a sentinel in place of each message to find where
   * the messages land, the text is split at control tokens in the template's own text only, and each
   * stretch between them is tokenized with `parse_special: false`. llama.cpp's own `parse_special`
   * tokenization splits at control tokens and tokenizes each stretch alone in the same way, so for
   * text without such strings the ids are the server's own (`applyChatTemplate`). With `allowSpecial`
   * control-token strings in message text are matched too and reported in `injected`.
   * @throws EngineError `chat-template` when the model has none or the server cannot render it
   */
  async chatTemplateTokens(messages: readonly ChatMessage[], allowSpecial: boolean): Promise<{ ids: number[]; injected: number[] }> {
    if (!this.info.hasChatTemplate) throw new EngineError('chat-template', `${this.info.id} has no chat template`);
    try {
      const sentinels = sentinelsFor(messages);
      const [marked, plain] = await Promise.all([this.client.applyTemplate(markedMessages(messages, sentinels)), this.client.applyTemplate(messages)]);
      const { text, ranges } = locateContents(marked, () => plain, messages, sentinels);
      const sections = splitAtAddedTokens(text, ranges, this.controlTokens(), allowSpecial);
      const pieces = await Promise.all(sections.map((sec) => (sec.kind === 'text' && sec.text ? this.client.tokenize(sec.text, { parseSpecial: false }) : Promise.resolve([]))));
      const ids: number[] = [];
      const injected: number[] = [];
      sections.forEach((sec, i) => {
        if (sec.kind === 'added') {
          if (sec.user) injected.push(ids.length);
          ids.push(sec.id);
        } else ids.push(...pieces[i]);
      });
      return { ids, injected };
    } catch (e) {
      throw e instanceof ServerError && e.code !== 'unreachable' ? new EngineError('chat-template', e.message) : toEngineError(e);
    }
  }

  async forward(rows: readonly ForwardRow[], options: ForwardOptions = {}): Promise<ForwardResult> {
    if (rows.length === 0) throw new RangeError('forward needs at least one row');
    if (options.attention || options.hiddenStates || options.constraint) {
      throw new EngineError('invalid-setting', 'a llama.cpp server gives no attention, hidden states or engine constraints here');
    }
    const all = options.positions === 'all';
    const V = this.info.vocabSize;
    const t0 = performance.now();
    this.forwards++;
    const seqs = rows.map((r) => {
      const before = this.prefixes.idsOf(r.prefix);
      if (r.tokens.length === 0) throw new RangeError('a row needs at least one new token');
      const ids = [...before, ...r.tokens];
      if (ids.length > this.info.contextLength) {
        throw new EngineError('context-overflow', `sequence of ${ids.length} tokens exceeds the server's context of ${this.info.contextLength}`);
      }
      return { ids, from: ids.length - r.tokens.length };
    });
    const slots = this.capabilities.maxRows;
    const firstOf = (s: { ids: number[]; from: number }) => (all ? s.from + 1 : s.ids.length);
    const total = seqs.reduce((n, s) => n + s.ids.length - firstOf(s) + 1, 0);
    let done = 0;
    const scored = await Promise.all(seqs.map(async (s, row) => {
      const first = firstOf(s);
      const values = new Float32Array((s.ids.length - first + 1) * V);
      // positions one by one on the row's slot: each request reuses the slot's prompt cache
      for (let end = first, p = 0; end <= s.ids.length; end++, p++) {
        if (options.cancelled?.()) throw new EngineError('cancelled', 'cancelled between positions');
        try {
          const answer = await this.client.nextToken(s.ids.slice(0, end), V, row % slots);
          values.set(denseLogprobs(answer, V), p * V);
        } catch (e) {
          throw toEngineError(e);
        }
        options.onPosition?.(++done, total);
      }
      return { values, positions: s.ids.length - first + 1 };
    }));
    const out: RowScores[] = scored.map((r) => ({ coverage: 'full', kind: 'logprobs', positions: r.positions, values: r.values }));
    const caches = this.prefixes.make(seqs.map((s) => s.ids), options.keepCache ?? true);
    return { rows: out, caches, ms: performance.now() - t0 };
  }

  release(cache: PrefixCache): void {
    this.prefixes.release(cache);
  }

  stats(): BackendStats {
    return this.prefixes.stats(this.forwards);
  }

  async dispose(): Promise<void> {
    // nothing held here: the server keeps its model
  }
}
