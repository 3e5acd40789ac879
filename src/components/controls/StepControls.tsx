import { useEffect, useRef, useState } from 'react';
import { useApp } from '../../store/store.ts';
import { canAdvance } from '../../store/selectors.ts';
import { stepKeyAction } from '../../store/keymap.ts';
import { controller } from '../../store/controller.ts';
import { useT } from '../useT.ts';
import { isTyping } from '../keys.ts';
import { pathTo } from '../../engine/tree.ts';
import { sequenceDisplay } from '../format.ts';
import { viewCursor } from '../../store/view.ts';


/** The last few generated tokens as text: the phone's sticky bar shows them beside Step and Back. */
function LastTokens() {
  const { t } = useT();
  const text = useApp((s) => {
    const info = s.info;
    if (!info) return '';
    const path = pathTo(s.tree, viewCursor(s)).slice(1);
    const ids = path.map((id) => s.tree.nodes[id].edge!.tokenId);
    const shown = sequenceDisplay(info, ids, s.tree.promptIds).slice(-6);
    return shown.map((d) => d.text).join('');
  });
  return (
    <span className="last-tokens" aria-label={t('phone.last')}>
      {text ? `…${text}` : ''}
    </span>
  );
}

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

  // on phones this bar sticks under the lesson panel: its height is a CSS variable (styles.css)
  const bar = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = bar.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const root = document.documentElement;
    const ro = new ResizeObserver(() => root.style.setProperty('--controls-h', `${Math.ceil(el.getBoundingClientRect().height)}px`));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // the last tokens are shown in the (phone's sticky) bar only once the generated text has scrolled under it
  const [textHidden, setTextHidden] = useState(false);
  useEffect(() => {
    let frame = 0;
    const check = () => {
      frame = 0;
      const el = bar.current;
      const text = document.querySelector('.generated');
      setTextHidden(!!el && !!text && text.getBoundingClientRect().bottom < el.getBoundingClientRect().bottom);
    };
    const onScroll = () => {
      if (!frame) frame = requestAnimationFrame(check);
    };
    window.addEventListener('scroll', onScroll, { passive: true });
    return () => {
      window.removeEventListener('scroll', onScroll);
      cancelAnimationFrame(frame);
    };
  }, []);

  return (
    <div ref={bar} className={textHidden ? 'controls text-hidden' : 'controls'} role="toolbar" aria-label={t('controls.keys')}>
      <button type="button" data-testid="step-back" onClick={() => controller.stepBack()} disabled={(!ready && !readOnly) || atRoot} aria-keyshortcuts="ArrowLeft">
        ◀ {t('controls.back')}
      </button>
      <button type="button" data-testid="step-forward" onClick={() => void controller.stepForward()} disabled={!ready || busy || !canStep} aria-keyshortcuts="ArrowRight">
        {t('controls.step')} ▶
      </button>
      <button type="button" data-testid="play" aria-pressed={playing} onClick={() => void controller.togglePlay()} disabled={!ready || (!playing && !canStep)} aria-keyshortcuts="Space" title={playing ? t('controls.pause') : t('controls.play')}>
        {playing ? '❚❚' : '▶'} <span className="btn-label">{playing ? t('controls.pause') : t('controls.play')}</span>
      </button>
      <button type="button" data-testid="run-to-end" onClick={() => void controller.runToEnd()} disabled={!ready || busy || playing || !canStep} title={t('controls.runToEnd')}>
        ▶▶ <span className="btn-label">{t('controls.runToEnd')}</span>
      </button>
      <button type="button" data-testid="reroll" onClick={() => void controller.reroll()} disabled={!ready || busy || atRoot || strategy !== 'sample' || readOnly} title={t('controls.reroll')}>
        ↻ <span className="btn-label">{t('controls.reroll')}</span>
      </button>
      <button type="button" data-testid="reset" onClick={() => void controller.reset()} disabled={!ready || busy || readOnly} title={t('controls.reset')}>
        ↺ <span className="btn-label">{t('controls.reset')}</span>
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
      <LastTokens />
    </div>
  );
}
