import { useMemo, useState } from 'react';
import { useApp } from '../../store/store.ts';
import { controller } from '../../store/controller.ts';
import { pathTo } from '../../engine/tree.ts';
import { useT } from '../useT.ts';
import { formatPercent, sequenceDisplay } from '../format.ts';
import { TokenChip } from './TokenChip.tsx';
import { TokenRaw } from './TokenRaw.tsx';
import { byteNote } from './byteNote.ts';
import { probabilityColor } from '../../charts/scales.ts';
import type { MessageKey } from '../../i18n/en.ts';
import { beamPending } from '../../store/view.ts';

/** The continuation on the current path, tinted by model probability; click a chip to jump there. */
export function GeneratedText() {
  const { t, locale } = useT();
  const tree = useApp((s) => s.tree);
  const info = useApp((s) => s.info);
  // while a beam search is revealed step by step, the text stays at its start (view.ts)
  const pendingStep = useApp((s) => (beamPending(s) && s.beamRun?.hypotheses ? s.beamRun.viewStep + 1 : 0));
  const pendingTotal = useApp((s) => s.beamRun?.steps.length ?? 0);
  const pending = pendingStep > 0 ? { step: pendingStep, total: pendingTotal } : null;
  const cursor = useApp((s) => (beamPending(s) ? s.beamRun!.startNode : s.cursor));
  const [details, setDetails] = useState('');
  const [focusId, setFocusId] = useState<number | null>(null);
  const hideAhead = pending !== null;
  // show the path to the cursor plus the rest of the branch it was on (first-child continuation)
  const path = useMemo(() => {
    const p = pathTo(tree, cursor);
    for (let id = cursor; !hideAhead && tree.nodes[id].children.length === 1; ) {
      id = tree.nodes[id].children[0];
      p.push(id);
    }
    return p.slice(1);
  }, [tree, cursor, hideAhead]);
  // the first `depth` generated tokens lead to the cursor; the rest is the branch ahead of it
  const cursorDepth = tree.nodes[cursor].depth;
  const shown = useMemo(
    () => (info ? sequenceDisplay(info, path.map((id) => tree.nodes[id].edge!.tokenId), tree.promptIds) : []),
    [info, path, tree],
  );

  return (
    <section className="panel generated" aria-labelledby="gen-title">
      <h2 id="gen-title">{t('gen.title')}</h2>
      {path.length === 0 && !pending && <p className="muted">{t('gen.empty')}</p>}
      {pending && (
        <p className="muted beam-pending" data-testid="beam-pending">
          {t('gen.beamPending', pending)}
        </p>
      )}
      <div className="chip-row" role="list">
        {info &&
          path.map((nid, i) => {
            const e = tree.nodes[nid].edge!;
            const d = shown[i];
            const note = byteNote(d, t);
            const label = `${t('tok.details', { text: d.text, id: e.tokenId, bytes: d.hex })}${d.partial ? ` · ${t('tok.partialNote')}` : ''} · ${t('dist.model')} ${formatPercent(e.prob, locale)} · ${t('dist.final')} ${formatPercent(e.finalProb, locale)} · ${t(`method.${e.method}` as MessageKey)}${note ? ` · ${note}` : ''}`;
            const onPath = i < cursorDepth;
            const stop = tree.nodes[nid].stop;
            return (
              <span key={nid} className={`${onPath ? 'on-path' : 'ahead'}${e.method === 'speculative' ? ' spec-edge' : ''}`} data-method={e.method} role="listitem">
                <TokenChip
                  testId={onPath ? 'generated-token' : 'generated-ahead'}
                  tokenId={e.tokenId}
                  text={d.text}
                  raw={info.vocabPieces[e.tokenId]}
                  hex={d.hex}
                  special={info.special[e.tokenId] === 1}
                  partial={d.partial}
                  invalid={d.invalid}
                  brackets={d.brackets}
                  prob={e.prob}
                  finalProb={e.finalProb}
                  current={nid === cursor}
                  label={label}
                  onSelect={() => void controller.jumpTo(nid)}
                  onFocusDetails={() => {
                    setDetails(label);
                    setFocusId(e.tokenId);
                  }}
                />
                {stop && (
                  <span className="stop-reason" data-testid="stop-reason" data-reason={stop}>
                    {t(stop === 'eos' && e.tokenId === info.endOfTurnTokenId ? 'gen.stop.eot' : (`gen.stop.${stop}` as MessageKey))}
                  </span>
                )}
              </span>
            );
          })}
      </div>
      {details && <p className="details muted">{details}</p>}
      {details && <TokenRaw tokenId={focusId} />}
      <div className="legend" aria-label={t('gen.legend')}>
        <span>{t('gen.legend')}:</span>
        {[0, 0.25, 0.5, 0.75, 1].map((p) => (
          <span key={p} className="swatch" style={{ background: probabilityColor(p), color: p > 0.55 ? '#fff' : '#111' }}>
            {formatPercent(p, locale, 0)}
          </span>
        ))}
      </div>
    </section>
  );
}
