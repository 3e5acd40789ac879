/**
 * How typed text becomes tokens after a node: the tokenizer's own split, with the leading-space
 * spelling only after non-CJK text (engine/appendSpelling.ts). Used by the query box (replace at
 * the shown step, append after the cursor).
 */
import { sequenceIds } from '../engine/tree.ts';
import { chooseSpelling, wantsLeadingSpace } from '../engine/appendSpelling.ts';
import type { AppState } from './store.ts';

/** The decoded text of the last few tokens before `nodeId` (enough to see its last character). */
export function contextTail(s: Pick<AppState, 'tree' | 'info'>, nodeId: number): string {
  const info = s.info;
  if (!info) return '';
  const ids = sequenceIds(s.tree, nodeId).slice(-8);
  const parts = ids.filter((id) => info.special[id] !== 1).map((id) => info.vocabBytes.subarray(info.vocabOffsets[id], info.vocabOffsets[id + 1]));
  const bytes = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    bytes.set(p, o);
    o += p.length;
  }
  return new TextDecoder().decode(bytes);
}

/**
 * The tokens a typed text becomes after node `nodeId`, by the tokenizer's own split: `#123` is
 * token 123; otherwise the spelling with a leading space is used only after non-CJK text
 * (engine/appendSpelling.ts). Ids outside the vocabulary are dropped.
 * @param tokenize the model's plain tokenizer (no special tokens added)
 */
export async function spellAfter(
  tokenize: (text: string) => Promise<number[]>,
  s: Pick<AppState, 'tree' | 'info'>,
  nodeId: number,
  text: string,
): Promise<{ ids: number[]; spaced: boolean }> {
  const vocab = s.info?.vocabSize ?? 0;
  const asId = /^#(\d+)$/.exec(text.trim());
  if (asId) return { ids: [Number(asId[1])].filter((i) => i < vocab), spaced: false };
  const plain = await tokenize(text);
  const leading = s.tree.promptIds.length > 0 && wantsLeadingSpace(contextTail(s, nodeId), text);
  const spaced = leading ? await tokenize(` ${text}`) : null;
  const pick = chooseSpelling(plain, spaced, leading);
  return { ids: pick.ids.filter((i) => i >= 0 && i < vocab), spaced: pick.spaced };
}
