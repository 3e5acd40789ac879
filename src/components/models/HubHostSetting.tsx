import { useEffect, useState } from 'react';
import { useT } from '../useT.ts';
import { KNOWN_HOSTS } from '../../models/hubHost.ts';
import { setHubHost, useHubHost } from '../../models/hostStore.ts';

/**
 * The download-host setting (test id `hub-host`): the Hugging Face Hub or a mirror with the same URL layout
 * (hf-mirror.com is suggested). Applied on Enter or when the field loses focus; remembered in this browser.
 */
export function HubHostSetting() {
  const { t } = useT();
  const host = useHubHost();
  const [text, setText] = useState(host);
  const [invalid, setInvalid] = useState(false);
  useEffect(() => setText(host), [host]);
  const apply = () => {
    const h = setHubHost(text);
    setInvalid(!h);
    if (h) setText(h);
  };
  return (
    <label className="hub-host" title={t('models.hostHelp')}>
      {t('models.host')}{' '}
      <input
        data-testid="hub-host"
        list="hub-host-list"
        value={text}
        size={26}
        spellCheck={false}
        aria-invalid={invalid}
        onChange={(e) => setText(e.target.value)}
        onBlur={apply}
        onKeyDown={(e) => e.key === 'Enter' && apply()}
      />
      <datalist id="hub-host-list">
        {KNOWN_HOSTS.map((h) => (
          <option key={h} value={h} />
        ))}
      </datalist>
      {invalid && (
        <span className="field-error" role="alert">
          {' '}
          {t('models.hostInvalid')}
        </span>
      )}
    </label>
  );
}
