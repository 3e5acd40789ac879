/** Locale-aware number formatting for the UI (percentages, decimals). */
import { displayTokens, bytesHex, type TokenDisplay } from '../engine/tokens.ts';
import type { ModelInfo } from '../domain/types.ts';
import type { GenerationTree } from '../engine/tree.ts';

const numberFormats = new Map<string, Intl.NumberFormat>();

/**
 * One Intl.NumberFormat per locale and options, reused: constructing one costs tens of µs, and a
 * step formats hundreds of numbers (chart rows, chips, tree labels) — it was ~10 % of a step's
 * main-thread time (bench P2).
 */
function numberFormat(locale: string, kind: 'percent' | 'decimal' | 'sig2', digits: number): Intl.NumberFormat {
  const key = `${locale}|${kind}|${digits}`;
  let f = numberFormats.get(key);
  if (!f) {
    f =
      kind === 'sig2'
        ? new Intl.NumberFormat(locale, { maximumSignificantDigits: 2 })
        : new Intl.NumberFormat(locale, { style: kind, minimumFractionDigits: digits, maximumFractionDigits: digits });
    numberFormats.set(key, f);
  }
  return f;
}

export function formatPercent(p: number, locale: string, digits = 1): string {
  if (!Number.isFinite(p)) return '—';
  if (p > 0 && p < 0.001) return `< ${numberFormat(locale, 'percent', 1).format(0.001)}`;
  return numberFormat(locale, 'percent', digits).format(p);
}

/** A probability as a percentage with enough digits to tell small ones apart (2.3e-5 → "0.0023 %"). */
export function formatProbability(p: number, locale: string): string {
  if (!Number.isFinite(p)) return '—';
  if (p === 0) return formatPercent(0, locale, 1);
  if (p >= 0.001) return formatPercent(p, locale, 2);
  return `${numberFormat(locale, 'sig2', 0).format(p * 100)} %`;
}

export function formatNumber(x: number, locale: string, digits = 2): string {
  if (!Number.isFinite(x)) return '—';
  return numberFormat(locale, 'decimal', digits).format(x);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The bytes of a vocabulary entry (a view, do not modify). */
export function tokenBytes(info: ModelInfo, id: number): Uint8Array {
  return info.vocabBytes.subarray(info.vocabOffsets[id], info.vocabOffsets[id + 1]);
}

/** Display of a single token on its own (chart rows): text with glyphs, or its bytes when it holds only part of a character. */
export function singleTokenLabel(info: ModelInfo, id: number): { label: string; hex: string; partial: boolean; special: boolean } {
  const b = tokenBytes(info, id);
  const special = info.special[id] === 1;
  if (special) return { label: info.vocabPieces[id], hex: bytesHex(b), partial: false, special };
  const d = displayTokens([b])[0];
  // a token that is not whole UTF-8 on its own (part of a character) is shown as its bytes
  let whole = true;
  try {
    strictUtf8.decode(b);
  } catch {
    whole = false;
  }
  const label = whole && d.text !== '' ? d.text : d.hex.toUpperCase();
  return { label, hex: d.hex, partial: !whole || d.partial, special };
}

/**
 * The display text of every node's own token, in one pass over the tree: bytes of a character split
 * across tokens are carried from parent to child, so a node shows what its token completes.
 */
export function nodeLabels(info: ModelInfo, tree: GenerationTree): string[] {
  const labels: string[] = new Array(tree.nodes.length).fill('');
  const carry: Uint8Array[] = new Array(tree.nodes.length);
  const promptPending = sequenceDisplay(info, tree.promptIds).at(-1)?.pendingHex ?? '';
  carry[0] = promptPending ? Uint8Array.from(promptPending.split(' ').map((h) => parseInt(h, 16))) : new Uint8Array(0);
  // parents always have smaller ids than their children
  for (let id = 1; id < tree.nodes.length; id++) {
    const n = tree.nodes[id];
    const tok = n.edge!.tokenId;
    if (info.special[tok]) {
      labels[id] = info.vocabPieces[tok];
      carry[id] = new Uint8Array(0);
      continue;
    }
    const d = displayTokens([tokenBytes(info, tok)], carry[n.parent!])[0];
    labels[id] = d.text !== '' ? d.text : d.hex.toUpperCase();
    carry[id] = d.pendingHex ? Uint8Array.from(d.pendingHex.split(' ').map((h) => parseInt(h, 16))) : new Uint8Array(0);
  }
  return labels;
}

/** Displays of a run of tokens (prompt or generated), with bytes carried across tokens. */
export function sequenceDisplay(info: ModelInfo, ids: readonly number[], before: readonly number[] = []): TokenDisplay[] {
  // bytes pending after `before` carry into the first token of `ids`
  const prev = displayTokens(before.map((id) => (info.special[id] ? new Uint8Array(0) : tokenBytes(info, id))));
  const carryHex = prev.length ? prev[prev.length - 1].pendingHex : '';
  const carry = carryHex ? Uint8Array.from(carryHex.split(' ').map((h) => parseInt(h, 16))) : new Uint8Array(0);
  const shown = displayTokens(
    ids.map((id) => (info.special[id] ? new Uint8Array(0) : tokenBytes(info, id))),
    carry,
  );
  return shown.map((d, i) => {
    const id = ids[i];
    if (info.special[id]) return { ...d, text: info.vocabPieces[id], rawText: info.vocabPieces[id], hex: bytesHex(tokenBytes(info, id)), partial: false };
    if (d.text === '') return { ...d, text: d.hex.toUpperCase() };
    return d;
  });
}
