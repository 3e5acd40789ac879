import { useApp } from '../../store/store.ts';
import { useT } from '../useT.ts';
import { PHONE_QUERY, useMedia } from '../useMedia.ts';

/**
 * One line next to the prompt while the embedded toy model is loaded: it does not write modern
 * Chinese, and the way to a model that does (the catalog's Chinese models, or a folder). On a phone
 * it is one short line that opens to the full text, so the prompt, the text and the bars keep the screen.
 */
export function ModelNotice() {
  const { t, locale } = useT();
  const embedded = useApp((s) => s.info?.sourceKind === 'embedded');
  const phone = useMedia(PHONE_QUERY);
  if (!embedded) return null;
  const full = (
    <>
      {t('notice.embedded')}
      {locale.startsWith('zh') ? '' : ' '}
      {t('notice.embeddedWay', { group: t('models.group.chinese') })}
    </>
  );
  if (phone) {
    return (
      <details className="notice model-notice compact" data-testid="model-notice">
        <summary>{t('notice.embeddedShort')}</summary>
        <p>{full}</p>
      </details>
    );
  }
  return (
    <p className="notice model-notice" data-testid="model-notice">
      {full}
    </p>
  );
}
