/**
 * Which spelling of a typed word to append: a byte-level BPE tokenizer spells a word that follows
 * a space with the space inside its first token ("␣LORD"), so "LORD" typed after English text is
 * meant as "␣LORD"; Chinese is written without spaces, so 的 typed after 强大 is 的, never "␣的".
 */

/** Han, kana, hangul, CJK punctuation and full-width forms: scripts written without spaces between words. */
const CJK = /[\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]/u;

/** True when `ch` (one character) belongs to a script written without spaces (see {@link CJK}). */
export function isCjk(ch: string): boolean {
  return CJK.test(ch);
}

/**
 * True when the typed `text` should be tried with a leading space before it is tokenized.
 * No space: the text already starts with whitespace; nothing precedes it; the context ends in
 * whitespace or in CJK text; the text itself starts with a CJK character.
 * @param contextTail the end of the text before the cursor (any length; '' at the start)
 */
export function wantsLeadingSpace(contextTail: string, text: string): boolean {
  if (text === '' || /^\s/u.test(text)) return false;
  if (contextTail === '' || /\s$/u.test(contextTail)) return false;
  const last = Array.from(contextTail).at(-1)!;
  const first = Array.from(text)[0];
  return !isCjk(last) && !isCjk(first);
}

/**
 * Picks the token ids to append: the spaced spelling when {@link wantsLeadingSpace} holds and it
 * is no longer than the plain one, else the plain spelling (the tokenizer's own split either way).
 */
export function chooseSpelling(plain: readonly number[], spaced: readonly number[] | null, leadingSpace: boolean): { ids: number[]; spaced: boolean } {
  if (leadingSpace && spaced && spaced.length > 0 && spaced.length <= plain.length) return { ids: [...spaced], spaced: true };
  return { ids: [...plain], spaced: false };
}
