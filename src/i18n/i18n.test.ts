import { describe, expect, it } from 'vitest';
import { en } from './en.ts';
import { zhHans } from './zh-Hans.ts';
import { zhHant } from './zh-Hant.ts';
import { detectLanguage } from './index.ts';

const placeholders = (s: string) => [...s.matchAll(/{{(\w+)}}/g)].map((m) => m[1]).sort();

describe('translations', () => {
  it.each([['zh-Hans', zhHans], ['zh-Hant', zhHant]] as const)('%s has every key and the same placeholders', (_, msgs) => {
    expect(Object.keys(msgs).sort()).toEqual(Object.keys(en).sort());
    for (const k of Object.keys(en) as (keyof typeof en)[]) expect(placeholders(msgs[k])).toEqual(placeholders(en[k]));
  });
  it('simplified and traditional differ', () => {
    expect(zhHans['prompt.title']).not.toBe(zhHant['dist.title']);
  });
});

describe('detectLanguage(tags)', () => {
  it.each([
    [['zh-TW'], 'zh-Hant'],
    [['zh-HK'], 'zh-Hant'],
    [['zh-CN'], 'zh-Hans'],
    [['zh'], 'zh-Hans'],
    [['fr', 'en-US'], 'en'],
    [['de'], 'en'],
  ] as const)('%j → %s', (tags, lang) => expect(detectLanguage(tags)).toBe(lang));
});
