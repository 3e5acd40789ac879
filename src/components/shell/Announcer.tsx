import { useEffect, useRef, useState } from 'react';
import { useApp } from '../../store/store.ts';
import { useT } from '../useT.ts';
import { singleTokenLabel } from '../format.ts';

/** Announces the chosen token and the top 3 to screen readers; throttled to one every 2 s during autoplay. */
export function Announcer() {
  const { t } = useT();
  const announcement = useApp((s) => s.announcement);
  const playing = useApp((s) => s.playing);
  const info = useApp((s) => s.info);
  const [text, setText] = useState('');
  const last = useRef(0);
  useEffect(() => {
    if (!announcement || !info) return;
    const now = Date.now();
    if (playing && now - last.current < 2000) return;
    last.current = now;
    const [chosen, top] = announcement.split('|');
    const lab = (id: string) => singleTokenLabel(info, Number(id)).label;
    setText(t('announce.step', { token: lab(chosen), top: top.split(',').map(lab).join(', ') }));
  }, [announcement, playing, info, t]);
  return (
    <div className="sr-only" aria-live="polite" role="status">
      {text}
    </div>
  );
}
