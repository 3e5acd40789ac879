import type { Localized } from './types.ts';

/** Builds a Localized text: English, Simplified Chinese, Traditional Chinese. */
export function L(en: string, zhHans: string, zhHant: string): Localized {
  return { en, 'zh-Hans': zhHans, 'zh-Hant': zhHant };
}
