import { useCallback, useState } from 'react';

/**
 * A ref callback, the element's content width in px, and the stage's scale: the app's font size ÷ 16 px
 * (1 normally; about 1.56 in presenter mode at 1920×1080, where the stage font follows the screen).
 * Charts drawn in px multiply their size by it (with a viewBox), so they grow with the text around them;
 * they lay themselves out in `width / scale` units. Kept current on resize.
 */
export function useStageScale<T extends HTMLElement>(): [(el: T | null) => void, number, number] {
  const [box, setBox] = useState({ width: 0, scale: 1 });
  const ref = useCallback((el: T | null) => {
    if (!el) return;
    const measure = () => {
      const font = parseFloat(getComputedStyle(el.closest('.app') ?? el).fontSize);
      const scale = Number.isFinite(font) && font > 0 ? Math.max(1, font / 16) : 1;
      setBox((b) => (b.width === el.clientWidth && b.scale === scale ? b : { width: el.clientWidth, scale }));
    };
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, box.width, box.scale];
}
