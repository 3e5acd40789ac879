import { describe, expect, it } from 'vitest';
import { extendPath, nextWholePosition, optionKey, pendingTail, splitPaths, utf8End, wholeOptions, type WholeOption } from './wholeChars.ts';

// 智 = e6 99 ba, 子 = e5 ad 90, 字 = e5 ad 97, 曰 = e6 9b b0, "，" = ef bc 8c (checked below with TextEncoder)
const enc = new TextEncoder();
const hex = (s: string) => Array.from(enc.encode(s), (b) => b.toString(16)).join(' ');

// a toy vocabulary: ids → bytes
const VOCAB: Record<number, number[]> = {
  1: [0xe6, 0x99], // lead of 智
  2: [0xba], // tail of 智
  3: [0xe5, 0xad], // lead of 子 / 字
  4: [0x90], // tail of 子
  5: [0x97], // tail of 字
  6: [0x20, 0x77, 0x61], // " wa"
  7: [0xe6], // single lead byte
  8: [0x99, 0xba], // "99 ba" (finishes 智 after 7)
  9: [0xba, 0xba], // continuation bytes that cannot follow a finished character
  10: [0xef, 0xbc, 0x8c], // "，"
};
const bytesOf = (id: number) => VOCAB[id];

describe('the byte values used here', () => {
  it.each([
    ['智', 'e6 99 ba'],
    ['子', 'e5 ad 90'],
    ['字', 'e5 ad 97'],
    ['，', 'ef bc 8c'],
  ])('%s = %s', (ch, h) => expect(hex(ch)).toBe(h));
});

describe('utf8End(bytes)', () => {
  it.each([
    [[], 'whole'],
    [[0x61, 0x62], 'whole'],
    [[0xe6, 0x99, 0xba], 'whole'],
    [[0xe6, 0x99], 'incomplete'],
    [[0xe6], 'incomplete'],
    [[0x61, 0xf0, 0x9f], 'incomplete'],
    [[0xba], 'invalid'],
    [[0xe6, 0x41], 'invalid'],
    [[0xe6, 0x99, 0xba, 0xba], 'invalid'],
    [[0xc0, 0x80], 'invalid'],
  ] as const)('%j → %s', (b, want) => expect(utf8End(b)).toBe(want));
});

describe('pendingTail(bytes)', () => {
  it.each([
    [[], []],
    [[0x61], []],
    [[0xe6, 0x99, 0xba], []],
    [[0x61, 0xe6, 0x99], [0xe6, 0x99]],
    [[0x61, 0xe6], [0xe6]],
    [[0xf0, 0x9f, 0xa6], [0xf0, 0x9f, 0xa6]],
    // invalid tail: nothing can finish it
    [[0x61, 0xba], []],
  ] as const)('%j → %j', (b, want) => expect(pendingTail(b)).toEqual(want));
});

describe('splitPaths(paths, pending, bytesOf)', () => {
  it('whole tokens keep their text; a lead byte stays open; stray continuation bytes are dropped', () => {
    const { whole, open } = splitPaths(
      [
        { tokenIds: [6], prob: 0.3 },
        { tokenIds: [1], prob: 0.2 },
        { tokenIds: [9], prob: 0.1 },
        { tokenIds: [10], prob: 0.05 },
      ],
      [],
      bytesOf,
    );
    expect(whole).toEqual([
      { tokenIds: [6], prob: 0.3, text: ' wa' },
      { tokenIds: [10], prob: 0.05, text: '，' },
    ]);
    expect(open).toEqual([{ tokenIds: [1], prob: 0.2 }]);
  });
  it('the context’s unfinished bytes are part of the text', () => {
    const { whole, open } = splitPaths([{ tokenIds: [2], prob: 0.5 }, { tokenIds: [6], prob: 0.1 }], [0xe6, 0x99], bytesOf);
    expect(whole).toEqual([{ tokenIds: [2], prob: 0.5, text: '智' }]);
    expect(open).toEqual([]);
  });
});

describe('extendPath(path, next)', () => {
  it('multiplies probabilities along the path (chain rule)', () => {
    const out = extendPath({ tokenIds: [3], prob: 0.4 }, [
      { tokenId: 4, prob: 0.5 },
      { tokenId: 5, prob: 0.25 },
    ]);
    expect(out).toEqual([
      { tokenIds: [3, 4], prob: 0.2 },
      { tokenIds: [3, 5], prob: 0.1 },
    ]);
    const { whole } = splitPaths(out, [], bytesOf);
    expect(whole.map((w) => w.text)).toEqual(['子', '字']);
  });
});

describe('wholeOptions(whole, isOwnPath)', () => {
  const own: Record<string, number[]> = { 智: [1, 2], 子: [3, 4], ' wa': [6] };
  const isOwn = (text: string, ids: readonly number[]) => own[text]?.join() === ids.join();
  it('keeps only the tokenizer’s own path of a text and sorts by probability', () => {
    const whole: WholeOption[] = [
      { tokenIds: [6], prob: 0.1, text: ' wa' },
      { tokenIds: [1, 2], prob: 0.2 * 0.9, text: '智' },
      { tokenIds: [7, 8], prob: 0.05 * 0.9, text: '智' }, // another spelling of 智: ignored
      { tokenIds: [3, 4], prob: 0.4 * 0.5, text: '子' },
    ];
    const out = wholeOptions(whole, isOwn);
    expect(out.map((o) => [o.text, o.tokenIds])).toEqual([
      ['子', [3, 4]],
      ['智', [1, 2]],
      [' wa', [6]],
    ]);
    expect(out[0].prob).toBeCloseTo(0.2, 15);
    expect(out[1].prob).toBeCloseTo(0.18, 15);
  });
  it('rejects a probability outside [0, 1]', () => {
    expect(() => wholeOptions([{ tokenIds: [6], prob: 1.5, text: ' wa' }], isOwn)).toThrow(RangeError);
  });
});

describe('optionKey(option, index)', () => {
  it('a one-token option is keyed by its id; a longer path by a negative index', () => {
    expect(optionKey({ tokenIds: [42], prob: 0.1 }, 3)).toBe(42);
    expect(optionKey({ tokenIds: [3, 4], prob: 0.1 }, 0)).toBe(-1);
    expect(optionKey({ tokenIds: [3, 5], prob: 0.1 }, 4)).toBe(-5);
  });
});

describe('nextWholePosition(path, from, pendingAt)', () => {
  // root 0 → node 1 (token e6 99) → node 2 (token ba) → node 3
  const pending: Record<number, number[]> = { 0: [], 1: [0xe6, 0x99], 2: [], 3: [] };
  const at = (id: number) => pending[id];
  it('stays where the context is whole', () => expect(nextWholePosition([0, 1, 2, 3], 0, at)).toBe(0));
  it('moves past a node whose context ends inside a character', () => expect(nextWholePosition([0, 1, 2, 3], 1, at)).toBe(2));
  it('null when no later node on the path is whole', () => expect(nextWholePosition([0, 1], 1, at)).toBeNull());
  it('throws for a node off the path', () => expect(() => nextWholePosition([0, 1], 7, at)).toThrow(RangeError));
});
