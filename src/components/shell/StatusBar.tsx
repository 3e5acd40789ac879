import { useApp } from '../../store/store.ts';
import { useT } from '../useT.ts';
import { formatNumber, formatPercent } from '../format.ts';
import { formatBytes } from '../models/formatBytes.ts';

/** Model, device, threads and isolation, read from the live worker and page (the student view hides all but the model). */
export function StatusBar() {
  const { t, locale } = useT();
  const status = useApp((s) => s.status);
  const info = useApp((s) => s.info);
  const progress = useApp((s) => s.progress);
  const fileName = useApp((s) => s.progressFile);
  const fileFraction = useApp((s) => s.progressFileFraction);
  const file = fileName ? `${fileName} (${formatPercent(fileFraction, locale, 0)})` : '';
  const forwards = useApp((s) => s.forwardCount);
  const latency = useApp((s) => s.lastForwardMs);
  const loadBytes = useApp((s) => s.loadBytes);
  const loadTotal = useApp((s) => s.loadTotalBytes);
  const filesDone = useApp((s) => s.loadFilesDone);
  const filesSeen = useApp((s) => s.loadFiles);
  const isolated = typeof crossOriginIsolated !== 'undefined' && crossOriginIsolated;
  const stateLabel = status === 'ready' ? t('model.ready') : status === 'loading' ? t('model.loading', { file }) : status === 'error' ? t('model.error') : t('model.none');
  return (
    <footer className="status-bar" aria-label={t('status.region')}>
      <span data-testid="model-status" data-state={status === 'idle' ? 'loading' : status} data-model={info?.id ?? ''} data-forward-count={forwards}>
        {t('status.model')}: <strong>{info ? info.id : t('model.none')}</strong> · {stateLabel}
      </span>
      {status === 'loading' && (
        <progress data-testid="model-progress" data-progress={progress} value={progress} max={1} aria-label={stateLabel} />
      )}
      {status === 'loading' && loadTotal > 0 && (
        <span data-testid="model-progress-bytes" data-loaded={loadBytes} data-total={loadTotal} data-files={filesSeen} data-files-done={filesDone}>
          {t('models.progress', { done: formatBytes(loadBytes, locale), total: formatBytes(loadTotal, locale), files: filesDone, filesTotal: filesSeen })}
        </span>
      )}
      <span className="dev-detail" data-testid="status-device" data-device={info?.device ?? ''}>
        {t('status.device')}: {info ? (info.engine ? t('engine.device', { host: info.engine.host }) : info.device === 'webgpu' ? 'WebGPU' : 'WASM') : '—'}
        {info ? ` · ${t('status.dtype')}: ${info.dtype}` : ''}
      </span>
      <span className="dev-detail" data-testid="status-threads" data-threads={info?.threads ?? 0}>
        {t('status.threads')}: {info ? info.threads : '—'}
      </span>
      <span data-testid="status-isolation" data-isolated={String(isolated)} className={isolated ? 'dev-detail' : 'dev-detail warn'}>
        {isolated ? t('status.isolated') : t('status.notIsolated')}
      </span>
      {!isolated && (
        <span data-testid="status-isolation-help" className="isolation-help dev-detail">
          {t('status.notIsolatedHelp')}
        </span>
      )}
      <span className="dev-detail">
        {t('status.forwards')}: {forwards} · {t('status.latency')}: {formatNumber(latency, locale, 1)} ms
      </span>
      {info?.fallbackReason && <span className="warn">{t('status.fallback', { reason: info.fallbackReason })}</span>}
    </footer>
  );
}
