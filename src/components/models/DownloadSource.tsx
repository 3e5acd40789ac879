import { useT } from '../useT.ts';
import { useHubHost } from '../../models/hostStore.ts';

/**
 * The privacy line's second half: where model downloads come from (the Hub or the chosen mirror).
 * The host is data, not a translated word: it is shown as a URL (`.url`, `translate="no"`).
 */
export function DownloadSource() {
  const { t } = useT();
  const host = useHubHost();
  const MARK = '\u0000';
  const [before, after = ''] = t('app.privacyHost', { host: MARK }).split(MARK);
  return (
    <span data-testid="privacy-host">
      {before}
      <span className="url" translate="no">
        {host}
      </span>
      {after}
    </span>
  );
}
