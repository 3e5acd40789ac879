/**
 * i18next + react-i18next setup: English, 简体中文, 繁體中文. The language comes
 * from the browser and can be switched in the header.
 */
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en.ts';
import { zhHans } from './zh-Hans.ts';
import { zhHant } from './zh-Hant.ts';
import type { Language } from '../domain/types.ts';

export const LANGUAGES: { code: Language; name: string }[] = [
  { code: 'en', name: 'English' },
  { code: 'zh-Hans', name: '简体中文' },
  { code: 'zh-Hant', name: '繁體中文' },
];

/** Picks en / zh-Hans / zh-Hant from BCP 47 tags like `zh-TW` or `zh-CN`. */
export function detectLanguage(tags: readonly string[]): Language {
  for (const tag of tags) {
    const t = tag.toLowerCase();
    if (t.startsWith('zh')) return /hant|tw|hk|mo/.test(t) ? 'zh-Hant' : 'zh-Hans';
    if (t.startsWith('en')) return 'en';
  }
  return 'en';
}

export function initI18n(lng: Language) {
  void i18next.use(initReactI18next).init({
    lng,
    fallbackLng: 'en',
    resources: {
      en: { translation: en },
      'zh-Hans': { translation: zhHans },
      'zh-Hant': { translation: zhHant },
    },
    interpolation: { escapeValue: false }, // React escapes; token text is never HTML
    returnNull: false,
  });
  return i18next;
}
