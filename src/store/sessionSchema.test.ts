import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { migrateSession, parseSession, toSessionFile, MAX_NODES, SESSION_VERSION, type SessionClassroom, type SessionFile } from './sessionSchema.ts';
import { addChild, createTree, type Edge } from '../engine/tree.ts';
import { DEFAULT_SETTINGS } from './store.ts';

const edge = (tokenId: number): Edge => ({ tokenId, method: 'greedy', settingsKey: 'greedy:{}', drawKey: null, u: null, prob: 0.5, finalProb: 1, logprob: Math.log(0.5), rank: 1 });

function valid(): SessionFile {
  let tree = createTree([5, 6, 7]);
  let at = 0;
  for (const t of [8, 9, 10]) ({ tree, id: at } = addChild(tree, at, edge(t)));
  ({ tree } = addChild(tree, 1, edge(11)));
  return toSessionFile({
    model: { id: 'tiny-bilingual-gpt2', sourceKind: 'embedded', vocabSize: 4000, fingerprint: 'a'.repeat(64) },
    prompt: 'In the beginning',
    settings: DEFAULT_SETTINGS,
    tree,
    cursor: 3,
  });
}

describe('parseSession', () => {
  it('accepts a valid session (and survives a JSON round trip)', () => {
    const r = parseSession(JSON.parse(JSON.stringify(valid())));
    expect(r.ok).toBe(true);
  });

  const mutations: [string, (s: SessionFile & Record<string, unknown>) => unknown, RegExp][] = [
    ['a version from the future', (s) => ({ ...s, version: 3 }), /version/],
    ['version 0', (s) => ({ ...s, version: 0 }), /version/],
    ['not an object', () => 'hello', /session/],
    ['temperature as a string', (s) => ({ ...s, settings: { ...s.settings, sampling: { ...s.settings.sampling, temperature: '1' } } }), /temperature/],
    ['prompt token outside the vocabulary', (s) => ({ ...s, tree: { ...s.tree, promptIds: [1, 4000] } }), /outside the vocabulary/],
    ['edge token outside the vocabulary', (s) => { s.tree.nodes[2].edge!.tokenId = 99999; return s; }, /outside the vocabulary/],
    ['a cycle', (s) => { s.tree.nodes[1].parent = 3; return s; }, /parent|cycle|depth/],
    ['cursor outside the tree', (s) => ({ ...s, cursor: 99 }), /cursor/],
    ['negative probability', (s) => { s.tree.nodes[1].edge!.prob = -0.1; return s; }, /prob/],
    ['NaN logprob', (s) => { s.tree.nodes[1].edge!.logprob = NaN; return s; }, /logprob/],
    ['beam width 9', (s) => ({ ...s, settings: { ...s.settings, beam: { ...s.settings.beam, beamWidth: 9 } } }), /beamWidth/],
    ['a million nodes', (s) => ({ ...s, tree: { ...s.tree, nodes: Array.from({ length: 1_000_000 }, () => s.tree.nodes[1]) } }), new RegExp(`${MAX_NODES}|nodes`)],
    ['a child listed under the wrong parent', (s) => { s.tree.nodes[0].children.push(3); return s; }, /child/],
    ['a child listed twice', (s) => { s.tree.nodes[0].children.push(1); return s; }, /twice/],
    ['a prompt with no tokens', (s) => ({ ...s, tree: { ...s.tree, promptIds: [] } }), /no tokens/],
    ['a subnormal temperature the engine refuses', (s) => ({ ...s, settings: { ...s.settings, sampling: { ...s.settings.sampling, temperature: 1e-7 } } }), /temperature/],
    ['a temperature beyond the control range', (s) => ({ ...s, settings: { ...s.settings, sampling: { ...s.settings.sampling, temperature: 50 } } }), /temperature/],
    ['top-k beyond the vocabulary', (s) => ({ ...s, settings: { ...s.settings, sampling: { ...s.settings.sampling, topK: 1e15 } } }), /topK/],
  ];
  it.each(mutations)('rejects %s with a message', (_, mutate, msg) => {
    const r = parseSession(mutate(valid() as SessionFile & Record<string, unknown>));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(msg);
  });

  it('keeps a chat-mode conversation through a JSON round trip; sessions without one stay valid', () => {
    const chat = [{ role: 'system' as const, content: '' }, { role: 'user' as const, content: '学而时习之' }];
    let tree = createTree([5, 6, 7]);
    ({ tree } = addChild(tree, 0, edge(8)));
    const s = toSessionFile({ model: valid().model, prompt: '', chat, settings: DEFAULT_SETTINGS, tree, cursor: 1 });
    const r = parseSession(JSON.parse(JSON.stringify(s)));
    expect(r.ok && r.session.chat).toEqual(chat);
    const plain = parseSession(JSON.parse(JSON.stringify(valid())));
    expect(plain.ok && plain.session.chat).toBeUndefined();
  });
  it.each([
    ['an unknown role', [{ role: 'tool', content: 'x' }], /chat/],
    ['an empty conversation', [], /chat/],
    ['content that is not text', [{ role: 'user', content: 5 }], /chat/],
  ])('rejects a conversation with %s', (_, chat, msg) => {
    const r = parseSession({ ...JSON.parse(JSON.stringify(valid())), chat });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(msg);
  });

  const dir = new URL('../../test-fixtures/sessions/', import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  it.each(files)('fixture %s', (f) => {
    const r = parseSession(JSON.parse(readFileSync(new URL(f, dir), 'utf8')));
    const expectOk = f.startsWith('valid');
    expect(r.ok).toBe(expectOk);
    if (!r.ok) expect(r.message.length).toBeGreaterThan(5);
  });
});

describe('session format versions', () => {
  it('a version-1 file (before classroom results) reads through the one migration chain', () => {
    const v1 = { ...JSON.parse(JSON.stringify(valid())), version: 1 };
    delete v1.classroom;
    expect(SESSION_VERSION).toBe(2);
    expect(migrateSession(v1)).toMatchObject({ ok: true, value: { version: SESSION_VERSION } });
    const r = parseSession(v1);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.session.version).toBe(SESSION_VERSION);
      expect(r.session.classroom).toBeUndefined();
      expect(r.session.tree).toEqual(valid().tree);
    }
  });

  const classroom: SessionClassroom = {
    quizAnswers: { '5,6,7': { pick: 8, top: 9, options: [9, 8, 10] } },
    quizScore: { right: 3, total: 5 },
    votes: { '5,6,7,8': { 9: 12, 10: 3 } },
    voteRevealed: { '5,6,7,8': true },
    mc: {
      seqKey: '5,6,7',
      settingsKey: '[{"temperature":1},42]',
      histogram: {
        n: 100, seed: 42, depth: 0, tokenIds: [8, 9], counts: [60, 30], probs: [0.6, 0.3], finalProbs: [0.6, 0.3],
        restCount: 10, restProb: 0.1, restFinalProb: 0.1, chiSquared: { statistic: 0.5, dof: 2, pValue: 0.78, bins: 3 }, tvd: 0.01,
      },
    },
    mcTree: { seqKey: '5,6,7', settingsKey: 'k', nodes: [{ id: 0, parent: -1, tokenId: -1, depth: 0, visits: 100, prob: 1, finalProb: 1, eos: false, children: [] }] },
  };
  it('quiz scores, votes and Monte-Carlo results are saved and read back exactly', () => {
    const s = toSessionFile({ model: valid().model, prompt: 'a', settings: DEFAULT_SETTINGS, tree: valid().tree, cursor: 0, classroom, chatAllowSpecial: true });
    const r = parseSession(JSON.parse(JSON.stringify(s)));
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.session.classroom).toEqual(classroom);
      expect(r.session.chatAllowSpecial).toBe(true);
    }
  });
  it('refuses classroom results with a token outside the vocabulary or a score above its total', () => {
    const bad1 = { ...JSON.parse(JSON.stringify(valid())), classroom: { ...classroom, votes: { '5': { 4000: 1 } } } };
    expect(parseSession(bad1)).toMatchObject({ ok: false, message: expect.stringMatching(/vocabulary/) });
    const bad2 = { ...JSON.parse(JSON.stringify(valid())), classroom: { ...classroom, quizScore: { right: 6, total: 5 } } };
    expect(parseSession(bad2)).toMatchObject({ ok: false });
  });
});
