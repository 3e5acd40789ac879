import { useSyncExternalStore } from 'react';

/** The width below which the page uses its phone layout (matches the CSS breakpoint in styles.css). */
export const PHONE_QUERY = '(max-width: 700px)';

/** True while a CSS media query matches (re-renders when it changes). */
export function useMedia(query: string): boolean {
  return useSyncExternalStore(
    (notify) => {
      const m = window.matchMedia(query);
      m.addEventListener('change', notify);
      return () => m.removeEventListener('change', notify);
    },
    () => window.matchMedia(query).matches,
    () => false,
  );
}
