import { useEffect } from 'react';
import { useT } from '../useT.ts';
import { DTYPES, entryDtypes, type CatalogEntry } from '../../models/catalog.ts';
import { downloadBytes, dtypeSupport, layoutProblem, preferredDtype, type DeviceCaps } from '../../models/layout.ts';
import { sizeWarning } from '../../models/memory.ts';
import { formatBytes } from './formatBytes.ts';
import type { ListingState } from './useRepoListing.ts';

/**
 * The weight-format select of a hub model (test id `model-dtype`): the dtypes the repository's file list
 * really has, each with its listed size and whether this device runs it; the catalog's estimates only while
 * the list cannot be read. Preselects the best format for the device; warns when the download is beyond what
 * the device can hold; says why a repository cannot be loaded.
 */
export function RepoFormats(props: {
  modelId: string;
  entry: CatalogEntry | undefined;
  listing: ListingState;
  caps: DeviceCaps;
  dtype: string;
  setDtype: (d: string) => void;
}) {
  const { t, locale } = useT();
  const { listing, entry, caps, dtype, setDtype } = props;
  const layout = listing.status === 'ok' ? listing.layout : null;
  const listed = layout ? layout.dtypes.map((d) => d.dtype) : null;
  const offered = listed ?? (entry ? entryDtypes(entry) : ['auto', ...DTYPES]);

  // preselect from the list: the catalog's default when the repository has it and this device runs it well
  useEffect(() => {
    if (!layout || !listed || listed.length === 0) return;
    if (listed.includes(dtype) && dtype !== 'auto') return;
    const def = entry && listed.includes(entry.defaultDtype) && dtypeSupport(entry.defaultDtype, caps) === 'yes' ? entry.defaultDtype : null;
    setDtype(def ?? preferredDtype(layout, caps) ?? listed[0]);
  }, [layout, caps]); // eslint-disable-line react-hooks/exhaustive-deps

  const note = (d: string) => {
    const s = dtypeSupport(d, caps);
    return s === 'yes' ? '' : ` (${t(s === 'slow' ? 'models.dtypeSlow' : 'models.dtypeNo')})`;
  };
  const bytes = layout ? downloadBytes(layout, dtype) : (entry?.downloadBytes[dtype as keyof CatalogEntry['downloadBytes']] ?? null);
  const deviceMemory = (navigator as Navigator & { deviceMemory?: number }).deviceMemory;
  const warn = sizeWarning(bytes, caps.device, deviceMemory);
  const problem = layout ? layoutProblem(layout, props.modelId) : null;
  const runsWell = layout ? layout.dtypes.filter((d) => dtypeSupport(d.dtype, caps) === 'yes').map((d) => d.dtype) : [];

  return (
    <>
      {!problem && (
        <label>
          {t('models.dtype')}{' '}
          <select data-testid="model-dtype" value={dtype} data-listed={listed ? 'true' : 'false'} onChange={(e) => setDtype(e.target.value)}>
            {offered.map((d) => {
              const b = layout ? downloadBytes(layout, d) : null;
              return (
                <option key={d} value={d}>
                  {d === 'auto' ? t('models.dtypeAuto') : `${d}${b !== null ? ` · ${formatBytes(b, locale)}` : ''}${note(d)}`}
                </option>
              );
            })}
          </select>
        </label>
      )}
      <p className="model-hint" data-testid="model-listing" data-state={listing.status} data-via={listing.status === 'ok' ? listing.via : undefined}>
        {listing.status === 'loading' && t('models.listing', { host: listing.host })}
        {listing.status === 'error' && t('models.listingFailed', { model: props.modelId, host: listing.host, message: listing.message })}
        {listing.status === 'ok' && problem && <span className="warn">{problem}</span>}
        {listing.status === 'ok' && !problem && !entry && bytes !== null && t('models.sizeListed', { size: formatBytes(bytes, locale) })}
        {listing.status === 'ok' && !problem && (
          <>
            {' '}
            {runsWell.length
              ? t('models.deviceRuns', { device: caps.device === 'wasm' ? 'WASM' : 'WebGPU', dtypes: runsWell.join(', ') })
              : t('models.deviceRunsNone', { device: caps.device === 'wasm' ? 'WASM' : 'WebGPU' })}
          </>
        )}
      </p>
      {warn && (
        <p className="model-hint warn" data-testid="model-size-warning" data-kind={warn.kind}>
          {warn.kind === 'wasm'
            ? t('models.sizeWarnWasm', { size: formatBytes(warn.bytes, locale) })
            : t('models.sizeWarnMemory', { size: formatBytes(warn.bytes, locale), memory: formatBytes(warn.memoryBytes, locale) })}
        </p>
      )}
    </>
  );
}
