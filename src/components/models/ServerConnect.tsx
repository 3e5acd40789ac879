import { useState } from 'react';
import { useApp } from '../../store/store.ts';
import { controller } from '../../store/controller.ts';
import { useT } from '../useT.ts';
import type { MessageKey } from '../../i18n/en.ts';
import type { EngineInfo } from '../../domain/types.ts';
import { serverErrorText } from './serverMessage.ts';

/**
 * Connect to a model server: URL, model name, optional API key (component state only: memory of
 * this tab, never saved), Connect, and the status line with what the server gives
 * (`engine-status`: state, dialect, whole vocabulary or top N, token ids).
 */
export function ServerConnect() {
  const { t } = useT();
  const status = useApp((s) => s.status);
  const info = useApp((s) => s.info);
  const loadError = useApp((s) => s.loadError);
  const [url, setUrl] = useState(() => (info?.engine?.url ?? 'http://127.0.0.1:8080'));
  const [model, setModel] = useState('');
  const [apiKey, setApiKey] = useState('');
  const [topN, setTopN] = useState('');
  const [attempted, setAttempted] = useState(false);
  const engine: EngineInfo | undefined = info?.engine;

  let state: 'connecting' | 'connected' | 'error' | 'idle' = engine ? 'connected' : 'idle';
  if (attempted && status === 'loading') state = 'connecting';
  else if (attempted && loadError) state = 'error';

  let text = '';
  if (state === 'connecting') text = t('engine.state.connecting');
  else if (state === 'connected' && engine) {
    text = t('engine.state.connected', {
      dialect: engine.dialect, host: engine.host, model: engine.model,
      vocab: t(engine.fullVocab ? 'engine.vocab.full' : 'engine.vocab.top', { n: engine.topN }),
      ids: t(engine.tokenIds ? 'engine.ids.yes' : 'engine.ids.no'),
      scores: t(engine.rawLogits ? 'engine.scores.logits' : 'engine.scores.logprobs'),
    });
  } else if (state === 'error' && loadError) {
    const message = loadError.code === 'server' ? serverErrorText(t, loadError.message, url) : t(`error.${loadError.code}` as MessageKey, { message: loadError.message });
    text = t('engine.state.error', { message });
  }

  const connect = () => {
    setAttempted(true);
    const n = Number(topN);
    void controller.connectServer(url, model, apiKey, Number.isInteger(n) && n > 0 ? n : 0);
  };

  return (
    <div className="server-connect">
      <label>
        {t('engine.url')}{' '}
        <input data-testid="engine-url" type="url" value={url} onChange={(e) => setUrl(e.target.value)} spellCheck={false} />
      </label>
      <label>
        {t('engine.model')}{' '}
        <input data-testid="engine-model" value={model} onChange={(e) => setModel(e.target.value)} spellCheck={false} />
      </label>
      <label>
        {t('engine.apiKey')}{' '}
        <input data-testid="engine-api-key" type="password" autoComplete="off" value={apiKey} onChange={(e) => setApiKey(e.target.value)} />
      </label>
      <label>
        {t('engine.topN')}{' '}
        <input data-testid="engine-top-n" type="number" min={1} step={1} inputMode="numeric" value={topN} onChange={(e) => setTopN(e.target.value)} placeholder={t('engine.topN.all')} />
      </label>
      <button type="button" data-testid="engine-connect" onClick={connect} disabled={status === 'loading' || !url.trim()}>
        {t('engine.connect')}
      </button>
      <p className="model-hint">{t('engine.help')}</p>
      <p
        data-testid="engine-status"
        role={state === 'error' ? 'alert' : 'status'}
        data-state={state === 'idle' ? '' : state}
        data-dialect={engine?.dialect ?? ''}
        data-full-vocab={engine ? String(engine.fullVocab) : ''}
        data-top-n={engine ? String(engine.topN) : ''}
        data-token-ids={engine ? String(engine.tokenIds) : ''}
      >
        {text}
      </p>
      {state === 'connected' && engine && !engine.fullVocab && (
        <p className="model-hint" data-testid="engine-limits">
          {t(engine.tokenIds ? 'engine.learnVocab' : 'engine.textLevel')}
        </p>
      )}
    </div>
  );
}
