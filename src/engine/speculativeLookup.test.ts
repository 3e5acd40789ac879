import { describe, expect, it } from 'vitest';
import { promptLookupDraft } from './speculativeLookup.ts';

const opts = { maxNgram: 3, minNgram: 1, numTokens: 4 };

describe('promptLookupDraft(context, options)', () => {
  it('proposes what followed the longest recurring suffix n-gram', () => {
    // suffix [7, 8, 9] occurred at 1; its continuation is [4, 5, 6, 7]
    expect(promptLookupDraft([1, 7, 8, 9, 4, 5, 6, 7, 8, 9], opts)).toEqual({ tokens: [4, 5, 6, 7], ngram: 3, matchStart: 1 });
  });

  it('prefers the longest n over a more recent shorter match', () => {
    // [8, 9] at 1 (n = 2) beats [9] at 5 (n = 1)
    expect(promptLookupDraft([8, 9, 1, 2, 3, 9, 0, 8, 9], { ...opts, maxNgram: 2 })).toMatchObject({ ngram: 2, matchStart: 0, tokens: [1, 2, 3, 9] });
  });

  it('takes the most recent occurrence among equally long matches', () => {
    expect(promptLookupDraft([5, 1, 5, 2, 5], opts)).toEqual({ tokens: [2, 5], ngram: 1, matchStart: 2 });
  });

  it('stops the proposal at the end of the context and at numTokens', () => {
    expect(promptLookupDraft([3, 3, 3, 3], opts).tokens).toEqual([3]);
    expect(promptLookupDraft([1, 2, 3, 4, 5, 6, 1], { ...opts, numTokens: 2 }).tokens).toEqual([2, 3]);
  });

  it('proposes nothing when no n-gram recurs', () => {
    expect(promptLookupDraft([1, 2, 3], opts)).toEqual({ tokens: [], ngram: 0, matchStart: -1 });
    expect(promptLookupDraft([], opts).tokens).toEqual([]);
    expect(promptLookupDraft([1, 2, 1], { ...opts, minNgram: 2 }).tokens).toEqual([]);
  });

  it('rejects bad options', () => {
    expect(() => promptLookupDraft([1], { ...opts, minNgram: 0 })).toThrow(RangeError);
    expect(() => promptLookupDraft([1], { ...opts, maxNgram: 0 })).toThrow(RangeError);
    expect(() => promptLookupDraft([1], { ...opts, numTokens: 0 })).toThrow(RangeError);
  });
});
