import { useMemo } from 'react';
import { useApp } from '../../store/store.ts';
import { controller } from '../../store/controller.ts';
import { layoutTree, linkPath } from '../../charts/treeLayout.ts';
import { pathTo } from '../../engine/tree.ts';
import { useT } from '../useT.ts';
import { formatPercent, nodeLabels } from '../format.ts';
import type { MessageKey } from '../../i18n/en.ts';
import { ExportButtons } from '../export/ExportButtons.tsx';

/** Every explored branch as a tree of tokens; the current path highlighted; click a node to jump. */
export function PathTree() {
  const { t, locale } = useT();
  const tree = useApp((s) => s.tree);
  const cursor = useApp((s) => s.cursor);
  const info = useApp((s) => s.info);
  const onPath = useMemo(() => new Set(pathTo(tree, cursor)), [tree, cursor]);
  const layout = useMemo(() => layoutTree(tree, onPath), [tree, onPath]);
  const labels = useMemo(() => (info ? nodeLabels(info, tree) : []), [info, tree]);
  if (!info || tree.promptIds.length === 0) return null;
  const labelOf = (id: number) => (id === 0 ? t('tree.root') : labels[id]);
  return (
    <section className="panel path-tree" aria-labelledby="tree-title">
      <ExportButtons kind="tree" />
      <h2 id="tree-title">{t('tree.title')}</h2>
      <div className="scroll">
        <svg width={layout.width + 40} height={Math.max(60, layout.height)} role="img" aria-label={t('tree.title')}>
          {layout.links.map((l, i) => (
            <path
              key={i}
              d={linkPath(l.source, l.target)}
              className={onPath.has(l.target.id) || (l.target.id === -1 && l.target.hiddenIds.some((h) => onPath.has(h))) ? 'link on' : 'link'}
            />
          ))}
          {layout.nodes.map((n) =>
            n.id === -1 ? (
              <g key={`h${n.hiddenIds[0]}`} transform={`translate(${n.x},${n.y})`} className="collapsed">
                <text textAnchor="middle" dy="0.35em">
                  …
                </text>
                <title>{t('tree.hidden', { count: n.hidden })}</title>
              </g>
            ) : (
              <g
                key={n.id}
                transform={`translate(${n.x},${n.y})`}
                data-testid="path-node"
                data-node-id={n.id}
                data-current={String(n.id === cursor)}
                className={`tree-node${onPath.has(n.id) ? ' on' : ''}${n.id === cursor ? ' current' : ''}`}
                role="button"
                tabIndex={0}
                aria-label={`${labelOf(n.id)}${n.id > 0 ? ` · ${formatPercent(tree.nodes[n.id].edge!.prob, locale)} · ${t(`method.${tree.nodes[n.id].edge!.method}` as MessageKey)}` : ''}`}
                onClick={() => void controller.jumpTo(n.id)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' || e.key === ' ') {
                    e.preventDefault();
                    e.stopPropagation();
                    void controller.jumpTo(n.id);
                  }
                }}
              >
                <rect x={-24} y={-11} width={48} height={22} rx={5} />
                <text textAnchor="middle" dy="0.35em">
                  {[...labelOf(n.id)].length > 6 ? `${[...labelOf(n.id)].slice(0, 5).join('')}…` : labelOf(n.id)}
                </text>
              </g>
            ),
          )}
        </svg>
      </div>
    </section>
  );
}
