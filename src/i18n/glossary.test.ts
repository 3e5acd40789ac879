import { describe, expect, it } from 'vitest';
import { AVOID, TERMS } from './glossary.ts';
import { en } from './en.ts';
import { zhHans } from './zh-Hans.ts';
import { zhHant } from './zh-Hant.ts';
import { LESSONS } from '../lessons/index.ts';

const MESSAGES = { en, 'zh-Hans': zhHans, 'zh-Hant': zhHant } as const;
const LANGS = ['en', 'zh-Hans', 'zh-Hant'] as const;

/** Every text a student reads in one language: the UI messages and every lesson's title and steps. */
function texts(lang: (typeof LANGS)[number]): [string, string][] {
  const ui = Object.entries(MESSAGES[lang]).map(([k, v]) => [k, String(v)] as [string, string]);
  const lessons = LESSONS.flatMap((l) => [[`${l.id}.title`, l.title[lang]] as [string, string], ...l.steps.map((s, i) => [`${l.id}.${i}`, s.text[lang]] as [string, string])]);
  return [...ui, ...lessons];
}

describe('one glossary per language', () => {
  it.each(LANGS)('%s: the UI menus and buttons use the glossary words', (lang) => {
    const m = MESSAGES[lang] as Record<string, string>;
    expect(m['controls.step']).toBe(TERMS[lang].stepButton);
    expect(m['controls.back']).toBe(TERMS[lang].backButton);
    expect(m['method.beam']).toBe(TERMS[lang].beamSearch);
    expect(m['strategy.beam'].toLowerCase()).toBe(TERMS[lang].beamSearch);
    expect(m['strategy.greedy'].toLowerCase()).toBe(TERMS[lang].greedy);
  });

  it.each(LANGS)('%s: no message or lesson spells a glossary idea another way', (lang) => {
    const bad = texts(lang).filter(([, v]) => AVOID[lang].some((re) => re.test(v)));
    expect(bad).toEqual([]);
  });

  it.each(['zh-Hans', 'zh-Hant'] as const)('%s: a lesson that names a button with ▶ names the real one', (lang) => {
    for (const [k, v] of texts(lang)) {
      for (const m of v.matchAll(/[“「]([^”」]*?) ?▶[”」]/g)) {
        const name = m[1].trim();
        // the step button, the play button or the beam tree's own "next beam step" button
        expect([TERMS[lang].stepButton, MESSAGES[lang]['beam.next']], `${k}: “${name} ▶”`).toContain(name);
      }
    }
  });

  it('zh-Hant lessons say 貪婪 and 集束搜尋 as the menus do', () => {
    const hant = texts('zh-Hant').filter(([k]) => LESSONS.some((l) => k.startsWith(`${l.id}.`)));
    expect(hant.some(([, v]) => v.includes(TERMS['zh-Hant'].greedy))).toBe(true);
    expect(hant.some(([, v]) => v.includes(TERMS['zh-Hant'].beamSearch))).toBe(true);
  });
});
