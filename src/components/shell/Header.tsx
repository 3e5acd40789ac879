import { useState } from 'react';
import { appStore, useApp, type Language } from '../../store/store.ts';
import { controller } from '../../store/controller.ts';
import { LANGUAGES } from '../../i18n/index.ts';
import { useT } from '../useT.ts';
import { EMBEDDED_MODEL } from '../../config.ts';
import type { DevicePreference } from '../../worker/protocol.ts';
import i18next from 'i18next';

export function setLanguage(lang: Language) {
  appStore.setState({ language: lang });
  try {
    localStorage.setItem('token-by-token:language', lang);
  } catch {
    // storage may be unavailable (private mode); the choice then lasts for this page only
  }
  void i18next.changeLanguage(lang);
  document.documentElement.lang = lang;
}

/** App name, model picker, language switch, presenter mode, model card. */
export function Header() {
  const { t } = useT();
  const language = useApp((s) => s.language);
  const presenter = useApp((s) => s.presenter);
  const status = useApp((s) => s.status);
  const info = useApp((s) => s.info);
  const devicePref = useApp((s) => s.devicePref);
  const [choice, setChoice] = useState('embedded');
  const [hubId, setHubId] = useState('');
  const share = useApp(() => controller.shareFragment());
  const chatOn = useApp((s) => s.chat !== null);
  const canChat = status === 'ready' && !!info?.hasChatTemplate;

  const load = (device: DevicePreference = devicePref) => {
    if (choice === 'embedded') void controller.loadModel({ kind: 'embedded', name: EMBEDDED_MODEL }, device);
    else if (hubId.trim()) void controller.loadModel({ kind: 'hub', modelId: hubId.trim() }, device);
  };

  return (
    <header className="app-header">
      <div className="brand">
        <h1>{t('app.title')}</h1>
        <p className="tagline">{t('app.tagline')}</p>
      </div>
      <div className="model-picker">
        <label>
          {t('model.label')}{' '}
          <select data-testid="model-select" value={choice} onChange={(e) => setChoice(e.target.value)}>
            <option value="embedded">{t('model.embedded', { name: EMBEDDED_MODEL })}</option>
            <option value="hub">{t('model.hub')}</option>
          </select>
        </label>
        {choice === 'hub' && (
          <input aria-label={t('model.hub')} placeholder={t('model.hubPlaceholder')} value={hubId} onChange={(e) => setHubId(e.target.value)} />
        )}
        <label>
          {t('model.device')}{' '}
          <select
            value={devicePref}
            onChange={(e) => {
              const d = e.target.value as DevicePreference;
              appStore.setState({ devicePref: d });
            }}
          >
            <option value="auto">{t('model.deviceAuto')}</option>
            <option value="webgpu">WebGPU</option>
            <option value="wasm">WASM</option>
          </select>
        </label>
        <button type="button" onClick={() => load()} disabled={status === 'loading'}>
          {t('model.load')}
        </button>
        <label className="folder">
          {t('model.folder')}
          <input
            data-testid="model-folder-input"
            type="file"
            // @ts-expect-error non-standard attribute for directory pickers
            webkitdirectory=""
            multiple
            onChange={(e) => {
              const files = Array.from(e.target.files ?? []);
              if (files.length === 0) return;
              const first = (files[0] as File & { webkitRelativePath?: string }).webkitRelativePath || files[0].name;
              void controller.loadModel({ kind: 'folder', name: first.split('/')[0] || 'folder', files }, devicePref);
            }}
          />
        </label>
        {status === 'loading' && (
          <button type="button" data-testid="model-cancel" onClick={() => controller.cancelLoad()}>
            {t('model.cancel')}
          </button>
        )}
      </div>
      <div className="header-tools">
        <label>
          <span className="sr-only">{t('lang.label')}</span>
          <select data-testid="language-select" aria-label={t('lang.label')} value={language} onChange={(e) => setLanguage(e.target.value as Language)}>
            {LANGUAGES.map((l) => (
              <option key={l.code} value={l.code}>
                {l.name}
              </option>
            ))}
          </select>
        </label>
        <button type="button" data-testid="presenter-toggle" aria-pressed={presenter} onClick={() => appStore.setState({ presenter: !presenter })}>
          {t('presenter.label')}
        </button>
        <button
          type="button"
          data-testid="chat-toggle"
          aria-pressed={chatOn}
          disabled={!canChat}
          title={info && !info.hasChatTemplate ? t('chat.noTemplate') : t('chat.toggleHint')}
          onClick={() => void controller.toggleChat()}
        >
          {t('chat.toggle')}
        </button>
        <button type="button" data-testid="new-session" onClick={() => void controller.newSession()} disabled={status !== 'ready'}>
          {t('session.new')}
        </button>
        <label className="share">
          <span>{t('session.share')}</span>
          <input
            data-testid="share-link"
            readOnly
            value={share ? `${location.origin}${location.pathname}#${share}` : ''}
            onFocus={(e) => e.target.select()}
            aria-label={t('session.share')}
          />
        </label>
        <button
          type="button"
          data-testid="export-json"
          disabled={status !== 'ready'}
          onClick={() => {
            const json = controller.exportSession();
            if (!json) return;
            const a = document.createElement('a');
            a.href = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
            a.download = 'token-by-token-session.json';
            a.click();
            setTimeout(() => URL.revokeObjectURL(a.href), 1000);
          }}
        >
          {t('session.export')}
        </button>
        <label className="folder">
          {t('session.import')}
          <input
            data-testid="import-json"
            type="file"
            accept="application/json,.json"
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) void f.text().then((text) => controller.importSession(text));
              e.target.value = '';
            }}
          />
        </label>
        <button type="button" onClick={() => appStore.setState({ showCard: true })} disabled={!info}>
          {t('card.open')}
        </button>
      </div>
    </header>
  );
}
