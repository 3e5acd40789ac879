/**
 * The two top-N dialects as `TopSource`s (topBackend.ts): vLLM's OpenAI-compatible completions with
 * token ids, and Ollama at text level. Request and answer shapes are openai.ts's and ollama.ts's.
 */
import type { TopScores } from '../../decoder/backend.ts';
import { ServerError } from './errors.ts';
import type { LlamaCppClient } from './llamacpp.ts';
import type { OllamaClient } from './ollama.ts';
import type { OpenAiClient } from './openai.ts';
import type { TopSource, VocabAddition } from './topBackend.ts';
import type { NextTokenScores } from './types.ts';
import { HeldBackText, bytesKey } from './utf8.ts';

const encoder = new TextEncoder();

function topScores(ids: number[], logprobs: number[]): TopScores {
  return { tokenIds: Int32Array.from(ids), logprobs: Float32Array.from(logprobs) };
}

/**
 * vLLM (OpenAI completions with `return_tokens_as_token_ids`): local ids are the server's ids, below
 * `capacity`. A new id's bytes come from `/detokenize` of that id alone (a piece that ends inside a
 * UTF-8 character comes back as U+FFFD there: its bytes are approximate).
 */
export class OpenAiTopSource implements TopSource {
  readonly tokens = 'ids' as const;
  private readonly known = new Set<number>();
  private additions: VocabAddition[] = [];

  constructor(private readonly client: OpenAiClient, readonly topN: number, private readonly capacity: number) {}

  private async learn(ids: readonly number[]): Promise<void> {
    const fresh = [...new Set(ids)].filter((id) => !this.known.has(id));
    for (const id of fresh) {
      if (id < 0 || id >= this.capacity) throw new ServerError('bad-answer', `token id ${id} is beyond the ${this.capacity} ids this app reserves for a server vocabulary`);
    }
    // a few at a time: each is one small request
    for (let at = 0; at < fresh.length; at += 8) {
      const part = fresh.slice(at, at + 8);
      const texts = await Promise.all(part.map((id) => this.client.detokenize([id])));
      part.forEach((id, k) => {
        this.known.add(id);
        this.additions.push({ id, bytes: encoder.encode(texts[k]) });
      });
    }
  }

  async tokenize(text: string, addSpecialTokens: boolean): Promise<number[]> {
    const ids = await this.client.tokenize(text, addSpecialTokens);
    await this.learn(ids);
    return ids;
  }

  decode(ids: readonly number[]): Promise<string> {
    return this.client.detokenize(ids);
  }

  async next(ids: readonly number[]): Promise<{ scores: TopScores; answer: NextTokenScores }> {
    const answer = await this.client.nextToken(ids, this.topN);
    if (!answer.reported) throw new ServerError('bad-answer', 'not reported: the server answered with an empty top_logprobs (vLLM: start it with --max-logprobs ≥ the N asked, or -1)');
    if (answer.keyedBy !== 'ids') {
      throw new ServerError('bad-answer', 'the server keyed top_logprobs by decoded text (it ignored return_tokens_as_token_ids): distinct tokens that decode alike collide, so stepping by id is not possible — use vLLM 0.5 or newer');
    }
    const top = answer.top.map((t) => t.tokenId as number);
    await this.learn(top);
    return { scores: topScores(top, answer.top.map((t) => t.logprob)), answer };
  }

  async chat(messages: readonly { role: string; content: string }[]): Promise<number[]> {
    const ids = await this.client.tokenizeChat(messages);
    await this.learn(ids);
    return ids;
  }

  /** Every prompt position in one request (`prompt_logprobs: N`), with the server's ranks. */
  async promptScores(ids: readonly number[]): Promise<(TopScores | null)[]> {
    const list = await this.client.promptScores(ids, this.topN);
    const out = list.map((pos) => {
      if (!pos) return null;
      const t = topScores(pos.entries.map((e) => e.tokenId), pos.entries.map((e) => e.logprob));
      t.ranks = Int32Array.from(pos.entries, (e) => e.rank ?? 0);
      return t;
    });
    await this.learn(list.flatMap((p) => (p ? p.entries.map((e) => e.tokenId) : [])));
    return out;
  }

  takeAdditions(): VocabAddition[] {
    const out = this.additions;
    this.additions = [];
    return out;
  }
}

/**
 * Ollama at text level: local ids for byte strings as first seen (below `capacity`); a prompt is its
 * characters; each step sends the whole characters of prompt + chosen bytes, and a held-back partial
 * character is merged with the next token (alternatives that continue it, with its bytes taken off).
 */
export class OllamaTopSource implements TopSource {
  readonly tokens = 'text' as const;
  private readonly idOf = new Map<string, number>();
  private readonly bytesOf: Uint8Array[] = [];
  private additions: VocabAddition[] = [];

  constructor(private readonly client: OllamaClient, readonly topN: number, private readonly capacity: number) {}

  /** The local id of a byte string (assigned on first sight). */
  idFor(bytes: Uint8Array): number {
    const key = bytesKey(bytes);
    const had = this.idOf.get(key);
    if (had !== undefined) return had;
    const id = this.bytesOf.length;
    if (id >= this.capacity) throw new ServerError('bad-answer', `more than ${this.capacity} distinct tokens seen on this server: reconnect to start a fresh vocabulary`);
    this.idOf.set(key, id);
    this.bytesOf.push(bytes.slice());
    this.additions.push({ id, bytes: bytes.slice() });
    return id;
  }

  private bytesOfIds(ids: readonly number[]): HeldBackText {
    const text = new HeldBackText();
    for (const id of ids) {
      const b = this.bytesOf[id];
      if (!b) throw new RangeError(`unknown text-level token ${id}`);
      text.push(b);
    }
    return text;
  }

  async tokenize(text: string): Promise<number[]> {
    // Ollama has no tokenize endpoint: the prompt is shown by character
    return Array.from(text, (ch) => this.idFor(encoder.encode(ch)));
  }

  async decode(ids: readonly number[]): Promise<string> {
    return new TextDecoder().decode(this.bytesOfIds(ids).all);
  }

  async next(ids: readonly number[]): Promise<{ scores: TopScores; answer: NextTokenScores }> {
    const text = this.bytesOfIds(ids);
    const held = text.heldBack;
    const answer = await this.client.nextToken(text.committedText, this.topN);
    if (!answer.reported) throw new ServerError('bad-answer', 'not reported: Ollama answered without top_logprobs');
    const seen = new Map<number, number>();
    for (const t of answer.top) {
      let b = t.bytes;
      if (held.length > 0) {
        // merge with the held-back part of a character: only alternatives that continue it count
        if (b.length <= held.length || !held.every((x, i) => b[i] === x)) continue;
        b = b.subarray(held.length);
      }
      const id = this.idFor(b);
      if (!seen.has(id)) seen.set(id, t.logprob);
    }
    if (seen.size === 0) throw new ServerError('bad-answer', `not reported: no alternative continues the held-back bytes ${bytesKey(held)} of an unfinished character`);
    const order = [...seen.entries()].sort((a, b) => b[1] - a[1]);
    return { scores: topScores(order.map((e) => e[0]), order.map((e) => e[1])), answer };
  }

  takeAdditions(): VocabAddition[] {
    const out = this.additions;
    this.additions = [];
    return out;
  }
}

/**
 * llama.cpp asked for only its top N per step (`n_probs: N`), when the whole vocabulary is too slow:
 * the vocabulary is known from connect, so nothing is learnt; one slot (rows run one by one).
 */
export class LlamaTopSource implements TopSource {
  readonly tokens = 'ids' as const;
  constructor(private readonly client: LlamaCppClient, readonly topN: number) {}

  tokenize(text: string, addSpecialTokens: boolean): Promise<number[]> {
    // special-token text becomes its control token, as on the whole-vocabulary backend
    return this.client.tokenize(text, { parseSpecial: true, addSpecial: addSpecialTokens });
  }

  decode(ids: readonly number[]): Promise<string> {
    return this.client.detokenize(ids);
  }

  async next(ids: readonly number[]): Promise<{ scores: TopScores; answer: NextTokenScores }> {
    const answer = await this.client.nextToken(ids, this.topN, 0);
    return { scores: topScores(answer.top.map((t) => t.tokenId as number), answer.top.map((t) => t.logprob)), answer };
  }

  takeAdditions(): VocabAddition[] {
    return [];
  }
}
