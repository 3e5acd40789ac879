import type { CSSProperties } from 'react';
import { probabilityColor, textOnTint } from '../../charts/scales.ts';
import type { BracketPiece } from '../../engine/tokens.ts';

export interface ChipProps {
  testId: 'prompt-token' | 'generated-token' | 'generated-ahead' | 'compare-token';
  tokenId: number;
  text: string;
  raw: string;
  hex: string;
  special: boolean;
  partial: boolean;
  /** The chip holds bytes that can never form a character (shown as hex). */
  invalid?: boolean;
  /** A special token that came from the user's own text (chat mode, special tokens allowed). */
  injected?: boolean;
  /** Brackets of characters split over several chips (the byte rule). */
  brackets?: readonly BracketPiece[];
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
  const cls = ['chip', p.special ? 'special' : '', p.partial ? 'partial' : '', p.invalid ? 'invalid' : '', p.injected ? 'injected' : '', p.current ? 'current' : ''].join(' ');
  const common = {
    'data-testid': p.testId,
    'data-token-id': p.tokenId,
    'data-bytes': p.hex,
    'data-special': String(p.special),
    'data-partial': String(p.partial),
    ...(p.invalid ? { 'data-invalid': 'true' } : {}),
    ...(p.injected ? { 'data-injected': 'true' } : {}),
    ...(p.prob !== undefined ? { 'data-prob': p.prob, 'data-final-prob': p.finalProb ?? 0 } : {}),
    className: cls,
    style,
    title: p.label,
    'aria-label': p.label,
    onMouseEnter: p.onFocusDetails,
    onFocus: p.onFocusDetails,
  };
  const chip = p.onSelect ? (
    <button type="button" {...common} aria-current={p.current ? 'step' : undefined} onClick={p.onSelect}>
      {p.text}
    </button>
  ) : (
    <span {...common} tabIndex={0} role="listitem">
      {p.text}
    </span>
  );
  if (!p.brackets?.length) return chip;
  // the character split over several chips is drawn once, on a bracket under them
  return (
    <span className="chip-cell">
      {chip}
      <span className="brackets" aria-hidden="true">
        {p.brackets.map((b) => (
          <span
            key={b.group}
            className={['bracket', b.first ? 'first' : '', b.last ? 'last' : '', b.open ? 'open' : ''].join(' ')}
            data-testid="byte-bracket"
            data-first={String(b.first)}
            data-char={b.first ? b.raw : undefined}
          >
            {b.first ? b.text || '…' : '\u00a0'}
          </span>
        ))}
      </span>
    </span>
  );
}
