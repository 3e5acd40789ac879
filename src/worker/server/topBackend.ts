/**
 * The server engine for dialects that report only the top N tokens per step (issue #16): vLLM's
 * OpenAI-compatible completions (`logprobs: N`, token ids) and Ollama (`top_logprobs` ≤ 20, text and
 * bytes only). Each forward row is one request per scored position (prefix + new tokens as the
 * prompt; the server's prefix cache makes the repeat cheap), answered as `coverage: 'top'` scores
 * that the decoder makes dense (src/decoder/topScores.ts): the rest of the vocabulary is "not
 * reported", never probability 0.
 *
 * The vocabulary is not known up front on these servers, so it grows as tokens are seen: ids up to
 * `capacity` are reserved, every id starts with empty bytes, and each new token's bytes are added
 * (`takeVocabAdditions`, which the dispatcher posts to the UI before the answer that uses them).
 * - `TopSource` for vLLM: local id = the server's id; a new id's text comes from `/detokenize`
 *   (a lone id that ends inside a UTF-8 character decodes as U+FFFD: those bytes are approximate).
 * - `TopSource` for Ollama: text level. Local ids are assigned to byte strings as they are first
 *   seen; a prompt is split into characters (the app cannot see Ollama's tokenization: the server
 *   re-tokenizes the text each step), and a token that ends inside a character is held back
 *   (utf8.ts): the next step asks with the whole characters and keeps the alternatives that
 *   continue the held-back bytes, with those bytes taken off.
 */
import type { BackendCapabilities, BackendStats, ForwardOptions, ForwardResult, ForwardRow, ModelBackend, PrefixCache, RowScores, TopScores } from '../../decoder/backend.ts';
import { EngineError } from '../../engine/errors.ts';
import type { ChatMessage, ModelInfo } from '../protocol.ts';
import { ServerPrefixes, toEngineError } from './serverBackend.ts';
import type { NextTokenScores } from './types.ts';
import { withVocabAdditions, type VocabAddition } from '../../domain/vocabGrowth.ts';

export type { VocabAddition };

/** What a top-N dialect must give the backend (local ids throughout). */
export interface TopSource {
  readonly tokens: 'ids' | 'text';
  /** Most alternatives per step. */
  readonly topN: number;
  tokenize(text: string, addSpecialTokens: boolean): Promise<number[]>;
  decode(ids: readonly number[]): Promise<string>;
  /** The top alternatives after `ids` (local ids, descending log-probability). */
  next(ids: readonly number[]): Promise<{ scores: TopScores; answer: NextTokenScores }>;
  /** New vocabulary entries since the last call. */
  takeAdditions(): VocabAddition[];
  /**
   * Every prompt position's top alternatives in one request (vLLM `prompt_logprobs`): entry p is the
   * distribution of `ids[p]` given `ids[0..p)`, entry 0 null. Absent: one request per position.
   */
  promptScores?(ids: readonly number[]): Promise<(TopScores | null)[]>;
  /** Prompt ids of a conversation through the server's chat template; absent when the dialect has none here. */
  chat?(messages: readonly ChatMessage[]): Promise<number[]>;
}

/** An empty growing vocabulary of `capacity` ids for a server's ModelInfo. */
export function emptyVocabulary(capacity: number): Pick<ModelInfo, 'vocabBytes' | 'vocabOffsets' | 'vocabPieces' | 'special'> {
  return {
    vocabBytes: new Uint8Array(0),
    vocabOffsets: new Uint32Array(capacity + 1),
    vocabPieces: new Array<string>(capacity).fill(''),
    special: new Uint8Array(capacity),
  };
}

export class TopNServerBackend implements ModelBackend {
  readonly capabilities: BackendCapabilities;
  private current: ModelInfo;
  private forwards = 0;
  private readonly prefixes = new ServerPrefixes();
  /** Additions not yet taken by the dispatcher (the UI's copy of the vocabulary lags by these). */
  private pending: VocabAddition[] = [];

  constructor(info: ModelInfo, private readonly source: TopSource) {
    this.current = info;
    this.capabilities = {
      scores: 'logprobs', vocabulary: source.topN, positions: 'all', tokens: source.tokens,
      maxRows: 1, attention: false, hiddenStates: false, constraints: [],
    };
    // tokens the source learnt while connecting (e.g. the end-of-turn marker) are in the info from the start
    this.current = withVocabAdditions(info, source.takeAdditions());
  }

  /** The model description with every vocabulary entry seen so far. */
  get info(): ModelInfo {
    return this.current;
  }

  private absorb(): void {
    const add = this.source.takeAdditions();
    if (add.length === 0) return;
    this.current = withVocabAdditions(this.current, add);
    this.pending.push(...add);
  }

  /** Vocabulary entries added since the last call (the dispatcher posts them to the UI first). */
  takeVocabAdditions(): VocabAddition[] {
    const out = this.pending;
    this.pending = [];
    return out;
  }

  async tokenize(text: string, addSpecialTokens: boolean): Promise<number[]> {
    try {
      const ids = await this.source.tokenize(text, addSpecialTokens);
      this.absorb();
      return ids;
    } catch (e) {
      throw toEngineError(e);
    }
  }

  decode(ids: readonly number[]): Promise<string> {
    return this.source.decode(ids).catch((e) => { throw toEngineError(e); });
  }

  async applyChatTemplate(messages: readonly ChatMessage[]): Promise<number[]> {
    if (!this.current.hasChatTemplate || !this.source.chat) throw new EngineError('chat-template', `${this.current.id} has no chat template here`);
    try {
      const ids = await this.source.chat(messages);
      this.absorb();
      return ids;
    } catch (e) {
      const err = toEngineError(e);
      throw err instanceof EngineError && err.code === 'server' && !err.message.startsWith('unreachable') ? new EngineError('chat-template', err.message) : err;
    }
  }

  async forward(rows: readonly ForwardRow[], options: ForwardOptions = {}): Promise<ForwardResult> {
    if (rows.length === 0) throw new RangeError('forward needs at least one row');
    if (options.attention || options.hiddenStates || options.constraint) {
      throw new EngineError('invalid-setting', 'a top-N server gives no attention, hidden states or engine constraints');
    }
    const all = options.positions === 'all';
    const t0 = performance.now();
    this.forwards++;
    const out: RowScores[] = [];
    const seqs: number[][] = [];
    const total = rows.reduce((n, r) => n + (all ? r.tokens.length : 1), 0);
    let done = 0;
    for (const r of rows) {
      const before = this.prefixes.idsOf(r.prefix);
      if (r.tokens.length === 0) throw new RangeError('a row needs at least one new token');
      const ids = [...before, ...r.tokens];
      if (ids.length > this.current.contextLength) {
        throw new EngineError('context-overflow', `sequence of ${ids.length} tokens exceeds the server's context of ${this.current.contextLength}`);
      }
      const first = all ? ids.length - r.tokens.length + 1 : ids.length;
      const positions: TopScores[] = [];
      let end = first;
      if (all && ids.length - first >= 1 && this.source.promptScores) {
        // teacher forcing in one request: the prompt positions, then the last one as a step
        try {
          const ps = await this.source.promptScores(ids);
          for (; end < ids.length; end++) {
            const p = ps[end];
            if (!p) throw new EngineError('server', `bad-answer: no prompt_logprobs at position ${end}`);
            positions.push(p);
          }
        } catch (e) {
          throw toEngineError(e);
        }
        done += positions.length;
        options.onPosition?.(done, total);
      }
      for (; end <= ids.length; end++) {
        if (options.cancelled?.()) throw new EngineError('cancelled', 'cancelled between positions');
        try {
          positions.push((await this.source.next(ids.slice(0, end))).scores);
        } catch (e) {
          throw toEngineError(e);
        }
        options.onPosition?.(++done, total);
      }
      this.absorb();
      out.push({ coverage: 'top', kind: 'logprobs', positions });
      seqs.push(ids);
    }
    const caches = this.prefixes.make(seqs, options.keepCache ?? true);
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
