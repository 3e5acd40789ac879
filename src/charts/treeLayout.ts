/**
 * Layout of the generation tree for drawing (d3-hierarchy), with long
 * single-child chains collapsed so a 200-step path stays readable.
 */
import { hierarchy, linkHorizontal, tree as d3tree } from 'd3';
import type { GenerationTree } from '../engine/tree.ts';

export interface LaidOutNode {
  /** Tree node id, or -1 for a collapsed run. */
  id: number;
  x: number;
  y: number;
  /** For a collapsed run: how many nodes it hides. */
  hidden: number;
  /** Hidden node ids (for a collapsed run). */
  hiddenIds: number[];
}

export interface TreeLayout {
  nodes: LaidOutNode[];
  links: { source: LaidOutNode; target: LaidOutNode }[];
  width: number;
  height: number;
}

interface DisplayNode {
  id: number;
  hidden: number[];
  children: DisplayNode[];
}

/**
 * Collapses chains of single-child nodes longer than `keep * 2` into one
 * ellipsis node, never hiding a node in `pinned` (e.g. the cursor).
 */
export function collapseChains(t: GenerationTree, pinned: ReadonlySet<number>, keep = 3): DisplayNode {
  const build = (id: number): DisplayNode => {
    // follow a chain of single children
    const chain: number[] = [id];
    let cur = id;
    while (t.nodes[cur].children.length === 1) {
      cur = t.nodes[cur].children[0];
      chain.push(cur);
    }
    const end = chain[chain.length - 1];
    const endNode: DisplayNode = { id: end, hidden: [], children: t.nodes[end].children.map(build) };
    if (chain.length === 1) return endNode;
    // chain[0..n-2] lead to end; decide which to hide
    const inner = chain.slice(0, -1);
    const visible = new Set<number>();
    inner.forEach((nid, i) => {
      if (i < keep || i >= inner.length - keep || pinned.has(nid)) visible.add(nid);
    });
    let next: DisplayNode = endNode;
    let hiddenRun: number[] = [];
    for (let i = inner.length - 1; i >= 0; i--) {
      const nid = inner[i];
      if (visible.has(nid)) {
        if (hiddenRun.length) {
          next = { id: -1, hidden: hiddenRun.reverse(), children: [next] };
          hiddenRun = [];
        }
        next = { id: nid, hidden: [], children: [next] };
      } else hiddenRun.push(nid);
    }
    if (hiddenRun.length) next = { id: -1, hidden: hiddenRun.reverse(), children: [next] };
    return next;
  };
  return build(0);
}

/** x = depth (left to right), y = branch (top to bottom), in px. */
export function layoutTree(t: GenerationTree, pinned: ReadonlySet<number>, dx = 56, dy = 30): TreeLayout {
  const root = hierarchy(collapseChains(t, pinned), (d) => d.children);
  const laid = d3tree<DisplayNode>().nodeSize([dy, dx])(root);
  let minY = Infinity;
  let maxY = -Infinity;
  let maxX = 0;
  laid.each((n) => {
    minY = Math.min(minY, n.x);
    maxY = Math.max(maxY, n.x);
    maxX = Math.max(maxX, n.y);
  });
  const map = new Map<typeof laid, LaidOutNode>();
  laid.each((n) => {
    map.set(n, { id: n.data.id, x: n.y + 30, y: n.x - minY + 16, hidden: n.data.hidden.length, hiddenIds: n.data.hidden });
  });
  return {
    nodes: [...map.values()],
    links: laid.links().map((l) => ({ source: map.get(l.source)!, target: map.get(l.target)! })),
    width: maxX + 60,
    height: maxY - minY + 32,
  };
}

const horizontalLink = linkHorizontal<{ source: [number, number]; target: [number, number] }, [number, number]>();

/** SVG path (a horizontal cubic Bézier, d3.linkHorizontal) from one laid-out node to another, in px. */
export function linkPath(source: Pick<LaidOutNode, 'x' | 'y'>, target: Pick<LaidOutNode, 'x' | 'y'>): string {
  return horizontalLink({ source: [source.x, source.y], target: [target.x, target.y] }) ?? '';
}
