import { useEffect } from 'react';
import { useApp } from '../../store/store.ts';
import { canAdvance } from '../../store/selectors.ts';
import { stepKeyAction } from '../../store/keymap.ts';
import { controller } from '../../store/controller.ts';
import { useT } from '../useT.ts';
import { isTyping } from '../keys.ts';


/** Step ▶, Back ◀, Play/Pause, Run to end, Reset, Re-roll; keyboard ← → Space Home End. */
export function StepControls() {
  const { t } = useT();
  const playing = useApp((s) => s.playing);
  // busyShown, not busy: a fast step must not re-render the controls while its result is on the way (bench P1)
  const busy = useApp((s) => s.busyShown);
  const ready = useApp((s) => s.status === 'ready' && !s.promptError && s.tree.promptIds.length > 0);
  const readOnly = useApp((s) => s.readOnly !== null);
  const atRoot = useApp((s) => s.cursor === 0);
  const strategy = useApp((s) => s.strategy);
  const speedMs = useApp((s) => s.speedMs);
  const canStep = useApp(canAdvance);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (isTyping(e.target) || e.altKey || e.ctrlKey || e.metaKey) return;
      // arrow keys move inside radio groups and dialogs, not through the generation
      if ((e.target as HTMLElement | null)?.closest?.('[role=radiogroup], [role=dialog]')) return;
      // Space on a focused button presses the button, not Play
      const perform = stepKeyAction(e.key, e.target instanceof HTMLButtonElement);
      if (!perform) return;
      e.preventDefault();
      perform();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <div className="controls" role="toolbar" aria-label={t('controls.keys')}>
      <button type="button" data-testid="step-back" onClick={() => controller.stepBack()} disabled={(!ready && !readOnly) || atRoot} aria-keyshortcuts="ArrowLeft">
        ◀ {t('controls.back')}
      </button>
      <button type="button" data-testid="step-forward" onClick={() => void controller.stepForward()} disabled={!ready || busy || !canStep} aria-keyshortcuts="ArrowRight">
        {t('controls.step')} ▶
      </button>
      <button type="button" data-testid="play" aria-pressed={playing} onClick={() => void controller.togglePlay()} disabled={!ready || (!playing && !canStep)} aria-keyshortcuts="Space">
        {playing ? `❚❚ ${t('controls.pause')}` : `▶ ${t('controls.play')}`}
      </button>
      <button type="button" data-testid="run-to-end" onClick={() => void controller.runToEnd()} disabled={!ready || busy || playing || !canStep}>
        ▶▶ {t('controls.runToEnd')}
      </button>
      <button type="button" data-testid="reroll" onClick={() => void controller.reroll()} disabled={!ready || busy || atRoot || strategy !== 'sample' || readOnly}>
        ↻ {t('controls.reroll')}
      </button>
      <button type="button" data-testid="reset" onClick={() => void controller.reset()} disabled={!ready || busy || readOnly}>
        ↺ {t('controls.reset')}
      </button>
      <label className="speed">
        {t('controls.speed')}{' '}
        <input
          type="range"
          min={100}
          max={2000}
          step={100}
          value={2100 - speedMs}
          onChange={(e) => controller.setSpeed(2100 - Number(e.target.value))}
        />
      </label>
      <span className="muted keys">{t('controls.keys')}</span>
    </div>
  );
}
