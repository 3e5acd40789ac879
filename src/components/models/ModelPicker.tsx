import { useRef, useState } from 'react';
import { useApp } from '../../store/store.ts';
import { controller } from '../../store/controller.ts';
import { useT } from '../useT.ts';
import { EMBEDDED_MODEL } from '../../config.ts';
import { CATALOG, CATALOG_GROUPS, DTYPES, catalogEntry, entryDtypes, type CatalogEntry } from '../../models/catalog.ts';
import { directoryPicker, filesFromDirectory, folderSource } from '../../models/localFolder.ts';
import type { DevicePreference } from '../../domain/types.ts';
import { formatBytes } from './formatBytes.ts';
import { CachedModels } from './CachedModels.tsx';

const CATALOG_PREFIX = 'catalog:';

/**
 * The model picker: the embedded model, the catalog (grouped, with download size for the chosen
 * dtype and the device each suits), a free-text Hugging Face id, a local folder (directory picker,
 * else a `webkitdirectory` file input), the device, load/cancel and the cached-models panel.
 */
export function ModelPicker() {
  const { t, locale } = useT();
  const status = useApp((s) => s.status);
  const devicePref = useApp((s) => s.devicePref);
  const [choice, setChoice] = useState('embedded');
  const [hubId, setHubId] = useState('');
  const [dtype, setDtype] = useState<string>('auto');
  const folderInput = useRef<HTMLInputElement>(null);
  const entry = choice.startsWith(CATALOG_PREFIX) ? catalogEntry(choice.slice(CATALOG_PREFIX.length)) : undefined;
  const embedded = catalogEntry(EMBEDDED_MODEL);
  const pickDirectory = directoryPicker();

  const choose = (value: string) => {
    setChoice(value);
    const e = value.startsWith(CATALOG_PREFIX) ? catalogEntry(value.slice(CATALOG_PREFIX.length)) : undefined;
    setDtype(e ? e.defaultDtype : 'auto');
  };

  const load = (device: DevicePreference = devicePref) => {
    if (choice === 'embedded') void controller.loadModel({ kind: 'embedded', name: EMBEDDED_MODEL }, device);
    else if (entry) void controller.loadModel({ kind: 'hub', modelId: entry.id, dtype }, device);
    else if (choice === 'hub' && hubId.trim()) {
      void controller.loadModel({ kind: 'hub', modelId: hubId.trim(), ...(dtype === 'auto' ? {} : { dtype }) }, device);
    }
  };

  const chooseFolder = async () => {
    if (!pickDirectory) {
      folderInput.current?.click();
      return;
    }
    try {
      const files = await filesFromDirectory(await pickDirectory());
      const source = folderSource(files);
      if (source) void controller.loadModel(source, devicePref);
    } catch (e) {
      // closing the picker is not an error; anything else (permission) falls back to the file input
      if (!(e instanceof DOMException && e.name === 'AbortError')) folderInput.current?.click();
    }
  };

  const sizeLabel = (e: CatalogEntry, d: string) => {
    const bytes = e.downloadBytes[d as keyof CatalogEntry['downloadBytes']] ?? e.downloadBytes[e.defaultDtype] ?? 0;
    return t(e.approximate ? 'models.sizeApprox' : 'models.size', { size: formatBytes(bytes, locale) });
  };

  return (
    <div className="model-picker">
      <label>
        {t('model.label')}{' '}
        <select data-testid="model-select" value={choice} onChange={(e) => choose(e.target.value)}>
          <option value="embedded">
            {t('model.embedded', { name: EMBEDDED_MODEL })}
            {embedded ? ` · ${formatBytes(embedded.downloadBytes.fp32 ?? 0, locale)}` : ''}
          </option>
          {CATALOG_GROUPS.map((g) => (
            <optgroup key={g} label={t(`models.group.${g}`)}>
              {CATALOG.filter((e) => e.group === g).map((e) => (
                <option key={e.id} value={`${CATALOG_PREFIX}${e.id}`} data-device={e.device}>
                  {`${e.name} · ${formatBytes(e.downloadBytes[e.id === entry?.id ? (dtype as 'fp32') : e.defaultDtype] ?? e.downloadBytes[e.defaultDtype] ?? 0, locale)}${e.device === 'webgpu' ? ' · WebGPU' : ''}`}
                </option>
              ))}
            </optgroup>
          ))}
          <option value="hub">{t('model.hub')}</option>
          <option value="folder">{t('model.folder')}</option>
        </select>
      </label>
      {choice === 'hub' && (
        <input aria-label={t('model.hub')} placeholder={t('model.hubPlaceholder')} value={hubId} onChange={(e) => setHubId(e.target.value)} />
      )}
      {(entry || choice === 'hub') && (
        <label>
          {t('models.dtype')}{' '}
          <select data-testid="model-dtype" value={dtype} onChange={(e) => setDtype(e.target.value)}>
            {choice === 'hub' && <option value="auto">{t('models.dtypeAuto')}</option>}
            {(entry ? entryDtypes(entry) : DTYPES).map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>
        </label>
      )}
      {choice !== 'folder' && (
        <label>
          {t('model.device')}{' '}
          <select value={devicePref} onChange={(e) => controller.setDevicePref(e.target.value as DevicePreference)}>
            <option value="auto">{t('model.deviceAuto')}</option>
            <option value="webgpu">WebGPU</option>
            <option value="wasm">WASM</option>
          </select>
        </label>
      )}
      {choice === 'folder' ? (
        <button type="button" data-testid="model-folder-choose" onClick={() => void chooseFolder()} disabled={status === 'loading'}>
          {t('models.chooseFolder')}
        </button>
      ) : (
        <button type="button" onClick={() => load()} disabled={status === 'loading' || (choice === 'hub' && !hubId.trim())}>
          {t('model.load')}
        </button>
      )}
      <label className="folder" hidden={choice !== 'folder'}>
        {t('models.folderFiles')}
        <input
          ref={folderInput}
          data-testid="model-folder-input"
          type="file"
          // @ts-expect-error non-standard attribute for directory pickers
          webkitdirectory=""
          multiple
          onChange={(e) => {
            const source = folderSource(Array.from(e.target.files ?? []));
            e.target.value = '';
            if (source) void controller.loadModel(source, devicePref);
          }}
        />
      </label>
      {status === 'loading' && (
        <button type="button" data-testid="model-cancel" onClick={() => controller.cancelLoad()}>
          {t('model.cancel')}
        </button>
      )}
      {entry && (
        <p className="model-hint" data-testid="model-hint" data-device={entry.device}>
          {sizeLabel(entry, dtype)} ({dtype}) · {t('models.deviceHint', { device: t(`models.device.${entry.device}`), reason: t(`models.reason.${entry.deviceReason}`) })}
          {entry.chineseCapable ? ` · ${t('models.chinese')}` : ''}
          {entry.instruct ? ` · ${t('models.instruct')}` : ''} · {t('models.license', { license: entry.license })}
        </p>
      )}
      {choice === 'folder' && <p className="model-hint">{t('models.folderHelp')}</p>}
      <CachedModels />
    </div>
  );
}
