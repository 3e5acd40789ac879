import { describe, expect, it } from 'vitest';
import { parseSession, toSessionFile } from './sessionSchema.ts';
import { createTree } from '../engine/tree.ts';
import { DEFAULT_SETTINGS, initialState } from './store.ts';
import { currentKey } from './controller.ts';

const file = (constraint?: { kind: 'none' | 'choice' | 'regex' | 'json'; text: string }) =>
  toSessionFile({
    model: { id: 'tiny-bilingual-gpt2', sourceKind: 'embedded', vocabSize: 4000, fingerprint: 'a'.repeat(64) },
    prompt: 'Q',
    settings: { ...DEFAULT_SETTINGS, ...(constraint ? { constraint } : {}) },
    tree: createTree([5]),
    cursor: 0,
  });

describe('the constraint setting', () => {
  it('is kept in session files (and left out when none)', () => {
    const r = parseSession(JSON.parse(JSON.stringify(file({ kind: 'regex', text: '[0-9]+' }))));
    expect(r.ok && r.session.settings.constraint).toEqual({ kind: 'regex', text: '[0-9]+' });
    expect('constraint' in file({ kind: 'none', text: 'x' }).settings).toBe(false);
    expect('constraint' in file().settings).toBe(false);
  });

  it('rejects an unknown kind', () => {
    const f = JSON.parse(JSON.stringify(file({ kind: 'regex', text: 'a' }))) as { settings: { constraint: { kind: string } } };
    f.settings.constraint.kind = 'grammar';
    expect(parseSession(f).ok).toBe(false);
  });

  it('is part of the settings key when set (records under another constraint are not reused); keys without one are unchanged', () => {
    const s = { ...initialState(), strategy: 'greedy' as const };
    const plain = currentKey(s);
    expect(currentKey({ ...s, constraint: { kind: 'none', text: 'x' } })).toBe(plain);
    const a = currentKey({ ...s, constraint: { kind: 'choice', text: 'yes\nno' } });
    const b = currentKey({ ...s, constraint: { kind: 'choice', text: 'yes\nmaybe' } });
    expect(new Set([plain, a, b]).size).toBe(3);
    // beam search ignores the constraint
    expect(currentKey({ ...s, strategy: 'beam', constraint: { kind: 'choice', text: 'yes' } })).toBe(currentKey({ ...s, strategy: 'beam' }));
  });
});
