/** Locale-aware number formatting for the UI (percentages, decimals). */
import { displayTokens, bytesHex, plainText, type TokenDisplay } from '../engine/tokens.ts';
import type { ModelInfo } from '../domain/types.ts';
import type { GenerationTree } from '../engine/tree.ts';

const numberFormats = new Map<string, Intl.NumberFormat>();

/**
 * One Intl.NumberFormat per locale and options, reused: constructing one costs tens of µs, and a
 * step formats hundreds of numbers (chart rows, chips, tree labels) — it was ~10 % of a step's
 * main-thread time (bench P2).
 */
function numberFormat(locale: string, kind: 'percent' | 'percent-sig2' | 'decimal', digits: number): Intl.NumberFormat {
  const key = `${locale}|${kind}|${digits}`;
  let f = numberFormats.get(key);
  if (!f) {
    f =
      kind === 'percent-sig2'
        ? new Intl.NumberFormat(locale, { style: 'percent', maximumSignificantDigits: 2 })
        : new Intl.NumberFormat(locale, { style: kind, minimumFractionDigits: digits, maximumFractionDigits: digits });
    numberFormats.set(key, f);
  }
  return f;
}

/**
 * The one percent formatter of every panel: a probability (0..1) as a percentage in the locale's
 * percent style (Intl.NumberFormat `style: 'percent'`, so "12.3%" in en, one style for every size).
 * @param digits fraction digits; 'adaptive' keeps 2 fraction digits from 0.1 % up and 2 significant
 *   digits below, so small probabilities stay apart (2.3e-5 → "0.0023%")
 * @returns '—' for a non-finite value; "< 0.1%" below 0.1 % with a fixed number of digits
 */
export function formatPercent(p: number, locale: string, digits: number | 'adaptive' = 1): string {
  if (!Number.isFinite(p)) return '—';
  if (digits === 'adaptive') {
    if (p === 0) return numberFormat(locale, 'percent', 1).format(0);
    return p >= 0.001 ? numberFormat(locale, 'percent', 2).format(p) : numberFormat(locale, 'percent-sig2', 0).format(p);
  }
  if (p > 0 && p < 0.001) return `< ${numberFormat(locale, 'percent', 1).format(0.001)}`;
  return numberFormat(locale, 'percent', digits).format(p);
}

/** A probability with enough digits to tell small ones apart: formatPercent(p, locale, 'adaptive'). */
export function formatProbability(p: number, locale: string): string {
  return formatPercent(p, locale, 'adaptive');
}

export function formatNumber(x: number, locale: string, digits = 2): string {
  if (!Number.isFinite(x)) return '—';
  return numberFormat(locale, 'decimal', digits).format(x);
}

/** The bytes of a vocabulary entry (a view, do not modify). */
export function tokenBytes(info: ModelInfo, id: number): Uint8Array {
  return info.vocabBytes.subarray(info.vocabOffsets[id], info.vocabOffsets[id + 1]);
}

/** Display of a single token on its own (chart rows, options): the byte rule applied to the token alone. */
export function singleTokenLabel(info: ModelInfo, id: number): { label: string; hex: string; partial: boolean; invalid: boolean; special: boolean } {
  const b = tokenBytes(info, id);
  const special = info.special[id] === 1;
  if (special) return { label: info.vocabPieces[id], hex: bytesHex(b), partial: false, invalid: false, special };
  // alone, leading continuation bytes may end a character begun before: partial, not invalid
  const d = displayTokens([b], { openStart: true })[0];
  return { label: d.text, hex: d.hex, partial: d.partial, invalid: d.invalid, special };
}

/**
 * The display text of every node's own token. Under the byte rule a chip's text depends on its own
 * bytes only (whole characters as text, other bytes as hex), so no bytes are carried between nodes.
 */
export function nodeLabels(info: ModelInfo, tree: GenerationTree): string[] {
  const byToken = new Map<number, string>();
  const labels: string[] = new Array(tree.nodes.length).fill('');
  for (let id = 1; id < tree.nodes.length; id++) {
    const tok = tree.nodes[id].edge!.tokenId;
    let label = byToken.get(tok);
    if (label === undefined) {
      label = info.special[tok] ? info.vocabPieces[tok] : displayTokens([tokenBytes(info, tok)])[0].text;
      byToken.set(tok, label);
    }
    labels[id] = label;
  }
  return labels;
}

/**
 * Displays of a run of tokens (prompt or generated) under the byte rule; `before` (e.g. the prompt
 * before generated tokens) is the context: a character split across the boundary is bracketed over
 * the chips on both sides, its character shown on the first chip of this run.
 */
export function sequenceDisplay(info: ModelInfo, ids: readonly number[], before: readonly number[] = []): TokenDisplay[] {
  const all = [...before, ...ids];
  const shown = displayTokens(all.map((id) => (info.special[id] ? null : tokenBytes(info, id)))).slice(before.length);
  return shown.map((d, i) => {
    const id = ids[i];
    if (info.special[id]) return { ...d, text: info.vocabPieces[id], rawText: info.vocabPieces[id], hex: bytesHex(tokenBytes(info, id)) };
    // a bracket begun before this run is labelled on this run's first chip
    if (i === 0) return { ...d, brackets: d.brackets.map((b) => ({ ...b, first: true })) };
    return d;
  });
}

/** The plain text of a run of tokens for copying and exports: U+FFFD only where bytes are not valid UTF-8. */
export function sequencePlainText(info: ModelInfo, ids: readonly number[]): string {
  const parts: Uint8Array[] = ids.map((id) => (info.special[id] ? new TextEncoder().encode(info.vocabPieces[id]) : tokenBytes(info, id)));
  const total = parts.reduce((n, b) => n + b.length, 0);
  const all = new Uint8Array(total);
  let at = 0;
  for (const b of parts) {
    all.set(b, at);
    at += b.length;
  }
  return plainText(all);
}
