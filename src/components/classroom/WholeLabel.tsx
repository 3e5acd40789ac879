import { useApp } from '../../store/store.ts';
import { visibleText } from '../../engine/tokens.ts';
import type { WholeOption } from '../../engine/wholeChars.ts';
import { useT } from '../useT.ts';
import { formatProbability, singleTokenLabel } from '../format.ts';

/** A whole-character option's text (glyphs for spaces and line breaks; rendered as text: it is untrusted). */
export function WholeLabel({ option }: { option: WholeOption }) {
  return <span className="tok">{visibleText(option.text)}</span>;
}

/**
 * The tooltip of a whole-character option: its probability, and for a character made of several
 * tokens the tokens' bytes and the rule (product along the tokenizer's own spelling; other
 * spellings not counted).
 */
export function useWholeTitle(): (o: WholeOption) => string {
  const { t, locale } = useT();
  const info = useApp((s) => s.info);
  return (o) => {
    const text = visibleText(o.text);
    if (!info || o.tokenIds.length === 1) return `${text} · P = ${formatProbability(o.prob, locale)}`;
    const parts = o.tokenIds.map((id) => `[${singleTokenLabel(info, id).hex}]`).join(' ');
    return t('whole.tooltip', { text, prob: formatProbability(o.prob, locale), n: o.tokenIds.length, tokens: parts });
  };
}
