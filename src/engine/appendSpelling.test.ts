import { describe, expect, it } from 'vitest';
import { chooseSpelling, isCjk, wantsLeadingSpace } from './appendSpelling.ts';

describe('isCjk(ch)', () => {
  it.each([
    ['的', true],
    ['，', true],
    ['。', true],
    ['ア', true],
    ['한', true],
    ['a', false],
    [' ', false],
    ['é', false],
  ])('%s → %s', (ch, want) => expect(isCjk(ch)).toBe(want));
});

describe('wantsLeadingSpace(contextTail, text)', () => {
  it.each([
    ['And the LORD spake unto', 'Moses', true],
    ['人工智能是一门强大', '的', false],
    ['人工智能是一门强大', 'AI', false],
    ['Hello', '世界', false],
    ['Hello ', 'world', false],
    ['', 'Hello', false],
    ['Hello', ' world', false],
    ['Hello', '', false],
  ])('%j + %j → %s', (ctx, text, want) => expect(wantsLeadingSpace(ctx, text)).toBe(want));
});

describe('chooseSpelling(plain, spaced, leadingSpace)', () => {
  it('after CJK the plain spelling wins even when the spaced one is one token', () => {
    expect(chooseSpelling([440], [1128], false)).toEqual({ ids: [440], spaced: false });
  });
  it('after English text the spaced spelling wins when it is no longer', () => {
    expect(chooseSpelling([76, 2000], [1500], true)).toEqual({ ids: [1500], spaced: true });
    expect(chooseSpelling([76], [32, 76, 9], true)).toEqual({ ids: [76], spaced: false });
  });
});
