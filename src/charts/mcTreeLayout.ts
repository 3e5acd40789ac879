/**
 * Layout of the Monte-Carlo continuation tree (d3-hierarchy): depth left to right, one row per
 * leaf, each link as wide as the number of continuations that went that way. Pure, no DOM:
 * React draws the SVG from these numbers.
 */
import { hierarchy, linkHorizontal, tree as d3tree } from 'd3';
import type { McTreeNode } from '../engine/mcTree.ts';

export interface McLaidNode {
  /** Index into the McTreeNode array. */
  id: number;
  /** Position of the node's label anchor (px). */
  x: number;
  y: number;
}

export interface McLaidLink {
  /** Child node id (the link ends at it). */
  id: number;
  /** SVG path from the parent to the child (a horizontal Bézier). */
  path: string;
  /** Stroke width (px), proportional to the child's visits. */
  width: number;
}

export interface McTreeLayout {
  nodes: McLaidNode[];
  links: McLaidLink[];
  width: number;
  height: number;
}

/**
 * @param nodes the merged continuations (node 0 is the start, `visits` = N)
 * @param dx horizontal distance between depths (px); dy vertical distance between rows (px)
 * @param maxWidth stroke width (px) of a link carrying all N continuations
 * @param labelWidth room (px) right of a node for its label, where its outgoing links start
 * @throws RangeError when there is no start node
 */
export function layoutMcTree(nodes: readonly McTreeNode[], dx = 190, dy = 30, maxWidth = 14, labelWidth = 120): McTreeLayout {
  if (nodes.length === 0) throw new RangeError('layoutMcTree: no start node');
  const total = Math.max(1, nodes[0].visits);
  // most visited branches first, so the main road runs along the top
  const root = hierarchy(nodes[0], (n) => [...n.children].sort((a, b) => nodes[b].visits - nodes[a].visits).map((c) => nodes[c]));
  const laid = d3tree<McTreeNode>().nodeSize([dy, dx])(root);
  let minY = Infinity;
  let maxY = -Infinity;
  let maxX = 0;
  laid.each((n) => {
    minY = Math.min(minY, n.x);
    maxY = Math.max(maxY, n.x);
    maxX = Math.max(maxX, n.y);
  });
  const pos = (n: { x: number; y: number }): [number, number] => [n.y + 12, n.x - minY + dy / 2 + 4];
  const link = linkHorizontal<{ source: [number, number]; target: [number, number] }, [number, number]>();
  const out: McLaidNode[] = [];
  const links: McLaidLink[] = [];
  laid.each((n) => {
    const [x, y] = pos(n);
    out.push({ id: n.data.id, x, y });
    if (n.parent) {
      const [px, py] = pos(n.parent);
      // a link starts after the parent's label (labelWidth px) and ends at the child's dot
      const path = link({ source: [n.parent.depth === 0 ? px : px + labelWidth, py], target: [x, y] }) ?? '';
      links.push({ id: n.data.id, path, width: Math.max(1, (maxWidth * n.data.visits) / total) });
    }
  });
  return { nodes: out, links, width: maxX + dx + 24, height: maxY - minY + dy + 8 };
}
