import { useTranslation } from 'react-i18next';
import type { MessageKey } from '../i18n/en.ts';

/** A message key, or the base of an i18next plural pair (`x` for `x_one` / `x_other`). */
export type TKey = MessageKey | (MessageKey extends infer K ? (K extends `${infer B}_one` ? B : never) : never);

/** Typed translation hook: an unknown key fails to compile. */
export function useT(): { t: (key: TKey, opts?: Record<string, unknown>) => string; locale: string } {
  const { t, i18n } = useTranslation();
  return { t: (key, opts) => t(key, opts ?? {}) as string, locale: i18n.language };
}
