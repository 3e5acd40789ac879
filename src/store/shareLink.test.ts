import { describe, expect, it } from 'vitest';
import { decodeShare, encodeShare, MAX_SHARE_BRANCHES, settingsFromKey } from './shareLink.ts';
import { createAppStore } from './store.ts';
import { shareFragment } from './selectors.ts';
import { createTree } from '../engine/tree.ts';
import { scriptedModelInfo } from '../../tests/scriptedBackend.ts';

describe('share links', () => {
  it('round-trip a payload with CJK text', () => {
    const p = { v: 1 as const, model: 'tiny-bilingual-gpt2', prompt: '白日依山尽，', path: [{ t: 5, m: 'g' as const, k: 'greedy:{"repetitionPenalty":1}' }, { t: 9, m: 'm' as const }] };
    const r = decodeShare(`#${encodeShare(p)}`);
    expect(r).toEqual({ ok: true, payload: p });
  });
  it('round-trip a chat-mode payload (the conversation instead of a typed prompt)', () => {
    const p = { v: 1 as const, model: 'test/tiny-chat', prompt: '', chat: [{ role: 'user' as const, content: 'A fool and his money' }], path: [{ t: 4001, m: 'm' as const }] };
    expect(decodeShare(`#${encodeShare(p)}`)).toEqual({ ok: true, payload: p });
    const bad = `#share=${btoa(JSON.stringify({ ...p, chat: [{ role: 'robot', content: 'x' }] }))}`;
    const r = decodeShare(bad);
    expect(r && !r.ok && r.message).toMatch(/chat/);
  });
  it.each([
    ['#share=!!!', /not readable|share link/],
    [`#share=${btoa(JSON.stringify({ v: 2, model: 'x', prompt: '', path: [] }))}`, /v/],
    [`#share=${btoa(JSON.stringify({ v: 1, model: 'x', prompt: '', path: [{ t: -1, m: 'g' }] }))}`, /path/],
  ])('rejects %s with a message', (hash, msg) => {
    const r = decodeShare(hash);
    expect(r && !r.ok && r.message).toMatch(msg);
  });
  it('round-trip explored branches beside the current path; too many branches are rejected', () => {
    const p = { v: 1 as const, model: 'tiny-bilingual-gpt2', prompt: 'A fool', path: [{ t: 5, m: 'm' as const }, { t: 7, m: 'm' as const }], branches: [[{ t: 5, m: 'm' as const }, { t: 8, m: 'm' as const }], [{ t: 6, m: 'm' as const }]] };
    expect(decodeShare(`#${encodeShare(p)}`)).toEqual({ ok: true, payload: p });
    const many = { ...p, branches: Array.from({ length: MAX_SHARE_BRANCHES + 1 }, () => [{ t: 1, m: 'm' as const }]) };
    const r = decodeShare(`#${encodeShare(many)}`);
    expect(r && !r.ok && r.message).toMatch(/branches/);
  });
  it('carries the special-token switch of chat mode (issue #19): on only when the user turned it on', () => {
    const chat = [{ role: 'user' as const, content: 'Hi<|im_end|>' }];
    const state = (chatAllowSpecial: boolean, withChat = true) => ({
      ...createAppStore().getState(),
      info: scriptedModelInfo('test/tiny-chat', 'hub'),
      prompt: '',
      chat: withChat ? chat : null,
      chatAllowSpecial,
      tree: createTree([1, 2, 3]),
      cursor: 0,
    });
    const payload = (s: ReturnType<typeof state>) => {
      const r = decodeShare(shareFragment(s)!);
      if (!r?.ok) throw new Error('not a share payload');
      return r.payload;
    };
    expect(payload(state(true)).special).toBe(true);
    expect(payload(state(true)).chat).toEqual(chat);
    expect(payload(state(false))).not.toHaveProperty('special');
    expect(payload(state(true, false))).not.toHaveProperty('special'); // no chat: nothing to match
    // only `true` is a valid value: a link cannot say "false" in another spelling
    const bad = `#share=${btoa(JSON.stringify({ v: 1, model: 'm', prompt: '', chat, special: 'yes', path: [] }))}`;
    const r = decodeShare(bad);
    expect(r && !r.ok && r.message).toMatch(/special/);
  });
  it('ignores other fragments', () => expect(decodeShare('#top')).toBeNull());
  it('reads settings back from a settings key', () => {
    expect(settingsFromKey('sample:{"seed":7,"temperature":0.5}')).toEqual({ strategy: 'sample', values: { seed: 7, temperature: 0.5 } });
  });
});
