import { useApp } from '../../store/store.ts';
import { compareController } from '../../store/compare.ts';
import { useT } from '../useT.ts';

/** Switches compare mode on and off (two panes, two settings, one prompt). */
export function CompareToggle() {
  const { t } = useT();
  const on = useApp((s) => s.compare.on);
  const ready = useApp((s) => s.status === 'ready');
  return (
    <button type="button" data-testid="compare-toggle" aria-pressed={on} disabled={!ready && !on} onClick={() => void compareController.toggle()}>
      {t('compare.toggle')}
    </button>
  );
}
