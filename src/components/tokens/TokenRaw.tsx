import { useApp } from '../../store/store.ts';
import { useT } from '../useT.ts';

/**
 * The tokenizer's own spelling of a token, only on request (a closed disclosure) and explained:
 * byte-level BPE writes a space as Ġ, SentencePiece as ▁ — internal strings a student should not
 * mistake for the text.
 */
export function TokenRaw({ tokenId }: { tokenId: number | null }) {
  const { t } = useT();
  const info = useApp((s) => s.info);
  if (!info || tokenId === null || tokenId < 0 || tokenId >= info.vocabPieces.length) return null;
  return (
    <details className="token-raw" data-testid="token-raw">
      <summary>{t('tok.raw')}</summary>
      <p>
        <bdi>{t('tok.rawOf', { id: tokenId, raw: JSON.stringify(info.vocabPieces[tokenId]) })}</bdi>
      </p>
      <p className="muted">{t('tok.rawExplain')}</p>
    </details>
  );
}
