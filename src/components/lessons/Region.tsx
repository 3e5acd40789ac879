import { useEffect, useRef, type ReactNode } from 'react';
import { useLesson } from '../../store/lessonRunner.ts';
import type { RegionId } from '../../lessons/types.ts';

/** Wraps an app region; the region a lesson step talks about is highlighted and scrolled into view. */
export function Region({ id, children }: { id: RegionId; children: ReactNode }) {
  const active = useLesson((s) => s.region === id && s.lessonId !== null);
  // scrolled into view once the step's actions are done (a region may be empty until then)
  const settled = useLesson((s) => (s.region === id && s.lessonId !== null && !s.running ? s.step : -1));
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (settled < 0 || !el?.scrollIntoView) return;
    // below the sticky lesson panel (scroll-margin-top, styles.css): a region taller than the room
    // left is aligned at its top, a smaller one just brought fully into view
    const panel = document.querySelector('.lesson-panel')?.getBoundingClientRect().height ?? 0;
    // on phones the Step / Back bar sticks under the panel too
    const controls = document.querySelector('[data-region="controls"]');
    const bar = id !== 'controls' && controls && getComputedStyle(controls).position === 'sticky' ? controls.getBoundingClientRect().height : 0;
    const room = window.innerHeight - panel - bar - 16;
    const place = () => el.scrollIntoView({ block: el.getBoundingClientRect().height > room ? 'start' : 'nearest' });
    place();
    // a region still filling in after the step's actions (a speculative run's tokens render a moment
    // later) is placed again as it grows, for a short while (not while the reader scrolls on later)
    if (typeof ResizeObserver === 'undefined') return;
    let last = el.getBoundingClientRect().height;
    const ro = new ResizeObserver(() => {
      const h = el.getBoundingClientRect().height;
      if (h !== last) place();
      last = h;
    });
    ro.observe(el);
    const stop = window.setTimeout(() => ro.disconnect(), 2000);
    return () => {
      window.clearTimeout(stop);
      ro.disconnect();
    };
  }, [settled, id]);
  return (
    <div ref={ref} className={active ? 'region lesson-highlight' : 'region'} data-region={id} data-highlight={active}>
      {children}
    </div>
  );
}
