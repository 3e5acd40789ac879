import { useApp } from '../../store/store.ts';
import { useT } from '../useT.ts';

/**
 * One line next to the prompt while the embedded toy model is loaded: it does not write modern
 * Chinese, and the way to a model that does (the catalog's Chinese models, or a folder).
 */
export function ModelNotice() {
  const { t, locale } = useT();
  const embedded = useApp((s) => s.info?.sourceKind === 'embedded');
  if (!embedded) return null;
  return (
    <p className="notice model-notice" data-testid="model-notice">
      {t('notice.embedded')}
      {locale.startsWith('zh') ? '' : ' '}
      {t('notice.embeddedWay', { group: t('models.group.chinese') })}
    </p>
  );
}
