import { CATALOG } from '../../models/catalog.ts';
import { useT } from '../useT.ts';

/** Names of the catalog's models that write modern Chinese (proper names, not translated). */
export function chineseModelNames(): string {
  return CATALOG.filter((e) => e.chineseCapable)
    .map((e) => e.name)
    .join(' / ');
}

/**
 * The embedded model's card in plain words, translated: what it is, what it learned from, what it
 * is good for, what it cannot do (modern Chinese), the measured numbers and where to find a model
 * that writes modern Chinese.
 */
export function EmbeddedCard() {
  const { t } = useT();
  const sections = [
    ['card.embedded.what', 'card.embedded.whatText'],
    ['card.embedded.learned', 'card.embedded.learnedText'],
    ['card.embedded.can', 'card.embedded.canText'],
    ['card.embedded.cannot', 'card.embedded.cannotText'],
    ['card.embedded.numbers', 'card.embedded.numbersText'],
  ] as const;
  return (
    <div className="card-plain" data-testid="model-card-plain">
      {sections.map(([h, p]) => (
        <section key={h}>
          <h3>{t(h)}</h3>
          <p>{t(p)}</p>
        </section>
      ))}
      <section>
        <h3>{t('card.embedded.modern')}</h3>
        <p>{t('card.embedded.modernText', { models: chineseModelNames(), group: t('models.group.chinese') })}</p>
      </section>
      <p className="muted">{t('card.embedded.licence')}</p>
    </div>
  );
}
