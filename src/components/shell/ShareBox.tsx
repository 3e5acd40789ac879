import { useEffect, useState } from 'react';
import { useApp } from '../../store/store.ts';
import { shareBranchesKept, shareBranchesTotal, shareFragment } from '../../store/selectors.ts';
import { useT } from '../useT.ts';

/** The share link (read-only), a Copy button that says "Copied", and a note when branches did not fit. */
export function ShareBox() {
  const { t } = useT();
  const share = useApp(shareFragment);
  const kept = useApp(shareBranchesKept);
  const total = useApp(shareBranchesTotal);
  const [copied, setCopied] = useState<'no' | 'yes' | 'failed'>('no');
  const url = share ? `${location.origin}${location.pathname}#${share}` : '';
  useEffect(() => setCopied('no'), [url]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(url);
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  };
  return (
    <span className="share">
      <label>
        <span>{t('session.share')}</span>{' '}
        <input data-testid="share-link" readOnly value={url} onFocus={(e) => e.target.select()} aria-label={t('session.share')} />
      </label>
      <button type="button" data-testid="share-copy" disabled={!url} onClick={() => void copy()}>
        {copied === 'yes' ? `✓ ${t('share.copied')}` : t('share.copy')}
      </button>
      {kept < total && (
        <span className="warn share-truncated" data-testid="share-truncated">
          {t('share.truncated', { kept, total })}
        </span>
      )}
      <span role="status" className={copied === 'failed' ? 'warn' : 'sr-only'}>
        {copied === 'yes' ? t('share.copied') : copied === 'failed' ? t('share.copyFailed') : ''}
      </span>
    </span>
  );
}
