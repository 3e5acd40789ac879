import { useT } from '../useT.ts';
import { useHubHost } from '../../models/hostStore.ts';

/** The privacy line's second half: where model downloads come from (the Hub or the chosen mirror). */
export function DownloadSource() {
  const { t } = useT();
  const host = useHubHost();
  return <span data-testid="privacy-host">{t('app.privacyHost', { host })}</span>;
}
