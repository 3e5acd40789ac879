import type { CSSProperties } from 'react';
import { probabilityColor, textOnTint } from '../../charts/scales.ts';

export interface ChipProps {
  testId: 'prompt-token' | 'generated-token' | 'generated-ahead' | 'compare-token';
  tokenId: number;
  text: string;
  raw: string;
  hex: string;
  special: boolean;
  partial: boolean;
  /** Model probability (tint), generated tokens only. */
  prob?: number;
  finalProb?: number;
  current?: boolean;
  label: string;
  onSelect?: () => void;
  onFocusDetails: () => void;
}

/** One token as a chip; its text is rendered as text (token strings are untrusted). */
export function TokenChip(p: ChipProps) {
  const style: CSSProperties | undefined =
    p.prob !== undefined ? { background: probabilityColor(p.prob), color: textOnTint(p.prob) } : undefined;
  const cls = ['chip', p.special ? 'special' : '', p.partial ? 'partial' : '', p.current ? 'current' : ''].join(' ');
  const common = {
    'data-testid': p.testId,
    'data-token-id': p.tokenId,
    'data-bytes': p.hex,
    'data-special': String(p.special),
    'data-partial': String(p.partial),
    ...(p.prob !== undefined ? { 'data-prob': p.prob, 'data-final-prob': p.finalProb ?? 0 } : {}),
    className: cls,
    style,
    title: p.label,
    'aria-label': p.label,
    onMouseEnter: p.onFocusDetails,
    onFocus: p.onFocusDetails,
  };
  if (p.onSelect) {
    return (
      <button type="button" {...common} aria-current={p.current ? 'step' : undefined} onClick={p.onSelect}>
        {p.text}
      </button>
    );
  }
  return (
    <span {...common} tabIndex={0} role="listitem">
      {p.text}
    </span>
  );
}
