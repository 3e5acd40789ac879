/** The tooltip text of a chip's loose bytes under the byte rule (split characters, invalid UTF-8). */
import type { TokenDisplay } from '../../engine/tokens.ts';
import type { TKey } from '../useT.ts';

/**
 * One sentence per problem the chip's bytes have, e.g. "not valid UTF-8: D2 is not followed by a
 * continuation byte"; '' for a chip of whole characters.
 */
export function byteNote(d: TokenDisplay, t: (key: TKey, opts?: Record<string, unknown>) => string): string {
  const notes: string[] = [];
  for (const p of d.parts) {
    if (p.kind === 'invalid') {
      const note = t(`bytes.invalid.${p.problem}`, { byte: p.lead });
      if (!notes.includes(note)) notes.push(note);
    }
  }
  for (const b of d.brackets) notes.push(b.open ? t('bytes.open') : t('bytes.split', { char: b.text }));
  return notes.join(' · ');
}
