import { useEffect, useRef, type ReactNode } from 'react';
import { useLesson } from '../../store/lessonRunner.ts';
import type { RegionId } from '../../lessons/types.ts';

/** Wraps an app region; the region a lesson step talks about is highlighted and scrolled into view. */
export function Region({ id, children }: { id: RegionId; children: ReactNode }) {
  const active = useLesson((s) => s.region === id && s.lessonId !== null);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (active) ref.current?.scrollIntoView?.({ block: 'nearest', behavior: 'smooth' });
  }, [active]);
  return (
    <div ref={ref} className={active ? 'region lesson-highlight' : 'region'} data-region={id} data-highlight={active}>
      {children}
    </div>
  );
}
