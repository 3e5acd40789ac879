/**
 * Chat mode on the instruct fixture test-fixtures/tiny-chat (ChatML template, <|im_start|> 4000 and
 * <|im_end|> 4001): transformers.js's apply_chat_template against the ids of an independent renderer
 * (Python Jinja2 + the project's BPE, in reference.json), logits and greedy steps against torch, and
 * the end-of-turn probability at every step. The embedded model has no template: no chat mode.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Decoder } from '../src/decoder/decoder.ts';
import { loadDecoder } from './ortDecoder.ts';
import { EngineError } from '../src/engine/errors.ts';
import { stageProb } from '../src/engine/distribution.ts';
import { HF_ORDER } from '../src/engine/settings.ts';
import type { ChatMessage } from '../src/worker/protocol.ts';
import { MODEL_NAME } from './reference.ts';

interface ChatReference {
  vocab_size: number;
  im_start_id: number;
  im_end_id: number;
  eos_token_id: number;
  conversations: {
    name: string;
    messages: ChatMessage[];
    text: string;
    ids: number[];
    last_logits: number[];
    greedy: { id: number; prob: number; im_end_prob: number; top5_ids: number[]; top5_probs: number[] }[];
    greedy_ids: number[];
    stops_at_im_end: boolean;
  }[];
}

const fixtures = fileURLToPath(new URL('../test-fixtures/', import.meta.url));
const ref: ChatReference = JSON.parse(readFileSync(new URL('../test-fixtures/tiny-chat/reference.json', import.meta.url), 'utf8'));
let ms: Decoder;

beforeAll(async () => {
  ms = await loadDecoder({ kind: 'embedded', name: 'tiny-chat' }, { device: 'wasm', modelsPath: fixtures });
});
afterAll(async () => ms?.release());

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const greedy = { temperature: 1, topK: 0, topP: 1, minP: 0, repetitionPenalty: 1, order: HF_ORDER };

describe('tiny-chat fixture', () => {
  it('reports a chat template, its end-of-turn token and the special tokens', () => {
    expect(ms.info.vocabSize).toBe(ref.vocab_size);
    expect(ms.info.hasChatTemplate).toBe(true);
    expect(ms.info.endOfTurnTokenId).toBe(ref.im_end_id);
    expect(ms.info.eosTokenId).toBe(ref.eos_token_id);
    expect(ms.info.special[ref.im_start_id]).toBe(1);
    expect(ms.info.special[ref.im_end_id]).toBe(1);
    expect(ms.info.vocabPieces[ref.im_start_id]).toBe('<|im_start|>');
    expect(ms.info.vocabPieces[ref.im_end_id]).toBe('<|im_end|>');
  });

  it.each(ref.conversations.map((c) => [c.name, c]))('%s: chat-template ids equal the Jinja2 reference, logits equal torch', async (_, c) => {
    const ids = await ms.chatTokenize(c.messages);
    expect(ids).toEqual(c.ids);
    expect(await ms.decode(ids)).toBe(c.text);
    expect(ids.filter((id) => id === ref.im_start_id).length).toBe(c.messages.length + 1);
    const full = await ms.fullForward(ids);
    expect(maxAbsDiff(full.subarray((ids.length - 1) * ref.vocab_size), c.last_logits)).toBeLessThan(1e-4);
  });

  it.each(ref.conversations.map((c) => [c.name, c]))('%s: greedy steps (KV cache) equal torch, with the end-of-turn probability', async (_, c) => {
    await ms.forget('all');
    const ids = [...c.ids];
    const path: number[] = [];
    for (const [i, want] of c.greedy.entries()) {
      path.push(i + 1);
      const r = await ms.step({ type: 'step', id: i, nodeId: i + 1, path: [...path], ids: [...ids], strategy: 'greedy', settings: greedy, topN: 5, extraIds: [], drawKey: null, choose: null });
      expect(r.choice!.tokenId).toBe(want.id);
      expect(r.choice!.prob).toBeCloseTo(want.prob, 5);
      // the end-of-turn token is in every record, at its torch probability
      const j = Array.from(r.record.tokenIds).indexOf(ref.im_end_id);
      expect(j).toBeGreaterThanOrEqual(0);
      expect(stageProb(r.record, 0, j)).toBeCloseTo(want.im_end_prob, 5);
      expect(Array.from(r.record.tokenIds.slice(0, 5))).toEqual(want.top5_ids);
      ids.push(r.choice!.tokenId);
    }
    expect(ids.slice(c.ids.length)).toEqual(c.greedy_ids);
    expect(c.stops_at_im_end).toBe(true);
    expect(ids[ids.length - 1]).toBe(ref.im_end_id);
    await ms.forget('all');
  });

  it('beam search treats the end-of-turn token as EOS: a hypothesis ends at <|im_end|>, never continues past it', async () => {
    const c = ref.conversations[0];
    await ms.forget('all');
    const hyps = await ms.beam(
      { type: 'beam', id: 1, nodeId: 1, path: [1], ids: c.ids, settings: { beamWidth: 3, lengthPenalty: 1, earlyStopping: 'false', repetitionPenalty: 1 }, maxNewTokens: 16 },
      () => undefined,
    );
    await ms.forget('all');
    expect(hyps.length).toBe(3);
    for (const h of hyps) {
      const at = h.tokens.indexOf(ref.im_end_id);
      expect(at === -1 || at === h.tokens.length - 1).toBe(true);
    }
    expect(hyps.some((h) => h.tokens[h.tokens.length - 1] === ref.im_end_id)).toBe(true);
  });
});

describe('a model without a chat template', () => {
  it('the embedded model has no chat mode', async () => {
    const plain = await loadDecoder({ kind: 'embedded', name: MODEL_NAME }, { device: 'wasm', modelsPath: fileURLToPath(new URL('../public/models/', import.meta.url)) });
    try {
      expect(plain.info.hasChatTemplate).toBe(false);
      expect(plain.info.endOfTurnTokenId).toBeNull();
      const err = await plain.chatTokenize([{ role: 'user', content: 'hi' }]).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(EngineError);
      expect((err as EngineError).code).toBe('chat-template');
    } finally {
      await plain.release();
    }
  });
});
