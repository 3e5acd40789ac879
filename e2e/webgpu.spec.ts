/**
 * The WebGPU code path, on SwiftShader (headless; slow, so a short walk). KV caches stay on the GPU:
 * branching twice from one node must leave the parent's snapshot intact.
 */
import { test, expect, shot, reference } from './fixtures.ts';

test('WebGPU: branch twice from one node; both children equal a fresh forward', async ({ app, page }, info) => {
  test.setTimeout(300_000);
  await page.goto('/');
  await expect(app.status).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
  const hasGpu = await page.evaluate(async () => !!(await (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu?.requestAdapter()));
  test.skip(!hasGpu, 'no WebGPU adapter in this browser');
  await expect(page.getByTestId('status-device')).toHaveAttribute('data-device', 'webgpu');
  const g = reference.greedy[0];
  await app.setPrompt(g.text, g.ids);
  await app.step();
  await app.step();
  const compare = async () => {
    // the cursor's own next-token distribution via its KV snapshot vs a fresh prefill of the same ids
    return page.evaluate(async () => {
      type Rec = { tokenIds: Int32Array; stageProbs: Float64Array };
      type Node = { id: number; parent: number | null; edge: { tokenId: number } };
      type State = { tree: { promptIds: number[]; nodes: Node[] }; cursor: number; records: Record<number, { record: Rec }> };
      const w = window as unknown as {
        __app: { store: { getState(): State }; controller: { ensureRecord(id: number): Promise<void>; freshRecord(ids: number[]): Promise<Rec> } };
      };
      const st = w.__app.store.getState();
      const { tree, cursor } = st;
      const ids = [...tree.promptIds];
      const path: number[] = [];
      for (let n: Node | undefined = tree.nodes[cursor]; n; n = n.parent === null ? undefined : tree.nodes[n.parent]) path.unshift(n.id);
      for (const id of path.slice(1)) ids.push(tree.nodes[id].edge.tokenId);
      await w.__app.controller.ensureRecord(cursor);
      const viaCache = w.__app.store.getState().records[cursor].record;
      const fresh = await w.__app.controller.freshRecord(ids);
      let max = 0;
      for (let j = 0; j < 10; j++) max = Math.max(max, Math.abs(viaCache.stageProbs[j] - fresh.stageProbs[j]));
      return { same: Array.from(viaCache.tokenIds.slice(0, 10)).join() === Array.from(fresh.tokenIds.slice(0, 10)).join(), max };
    });
  };
  // first branch: the 2nd bar at this step
  await app.bars.nth(1).click();
  await app.waitIdle();
  const a = await compare();
  expect(a.same).toBe(true);
  expect(a.max).toBeLessThan(1e-3);
  // second branch from the same node: the 3rd bar
  await app.bars.nth(2).click();
  await app.waitIdle();
  const b = await compare();
  expect(b.same).toBe(true);
  expect(b.max).toBeLessThan(1e-3);
  // and the first branch still extends correctly from its snapshot
  await app.step();
  const c = await compare();
  expect(c.same).toBe(true);
  expect(c.max).toBeLessThan(1e-3);
  await shot(page, info, 'webgpu');
});
