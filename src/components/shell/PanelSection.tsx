import type { ReactNode } from 'react';

/**
 * A titled panel: a <section> labelled by its <h2>, with a short muted introduction under the title,
 * then the panel's own content (the speculative-decoding and Monte-Carlo panels).
 * @param id prefix of the heading id (`${id}-title`), unique on the page
 */
export function PanelSection({ id, className, title, intro, children }: { id: string; className: string; title: string; intro: string; children: ReactNode }) {
  return (
    <section className={`panel ${className}`} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      <p className="muted">{intro}</p>
      {children}
    </section>
  );
}
