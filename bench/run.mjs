#!/usr/bin/env node
/**
 * npm run bench — drives the production build in headless Chromium (the browser the tests use),
 * measures each quantity several times after warm-up, prints medians with min/max and writes
 * bench/results.json. Ratios are taken from measurements made side by side in the same run.
 * Needs /usr/bin/chromium or $CHROMIUM_PATH. Options: --no-build, --quick.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { chromium } from '@playwright/test';

const args = new Set(process.argv.slice(2));
const QUICK = args.has('--quick');
const PORT = Number(process.env.BENCH_PORT ?? 4174);
const BASE = `http://localhost:${PORT}`;
const exe = existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : process.env.CHROMIUM_PATH;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const stats = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length });

if (!args.has('--no-build')) {
  const b = spawnSync('npx', ['vite', 'build'], { stdio: 'inherit' });
  if (b.status !== 0) process.exit(b.status ?? 1);
}
// P10's "before": the embedded model folder with the graph from before issue #20 (from git history)
{
  const log = spawnSync('git', ['log', '--format=%H', '--', 'public/models/tiny-bilingual-gpt2/onnx/model.onnx'], { encoding: 'utf8' }).stdout.trim().split('\n');
  const change = spawnSync('git', ['log', '--format=%H', '-S', 'lens_logits', '--', 'tools/model/export.py'], { encoding: 'utf8' }).stdout.trim().split('\n').pop();
  const before = log[log.indexOf(change) + 1] ?? `${change}^`;
  const dir = 'dist/models/tiny-bilingual-gpt2-before';
  mkdirSync(`${dir}/onnx`, { recursive: true });
  for (const f of readdirSync('dist/models/tiny-bilingual-gpt2')) if (f.endsWith('.json')) copyFileSync(`dist/models/tiny-bilingual-gpt2/${f}`, `${dir}/${f}`);
  const onnx = spawnSync('git', ['show', `${before}:public/models/tiny-bilingual-gpt2/onnx/model.onnx`], { maxBuffer: 64 << 20 });
  if (onnx.status !== 0) throw new Error(`no graph before #20 in git history (${before})`);
  writeFileSync(`${dir}/onnx/model.onnx`, onnx.stdout);
}
const server = spawn('npx', ['vite', 'preview', '--port', String(PORT), '--strictPort'], { stdio: 'ignore', detached: true });
const stop = () => {
  try {
    process.kill(-server.pid);
  } catch {
    /* already gone */
  }
};
process.on('exit', stop);
for (let i = 0; i < 60; i++) {
  try {
    if ((await fetch(BASE)).ok) break;
  } catch {
    /* not up yet */
  }
  await new Promise((r) => setTimeout(r, 500));
}

const browser = await chromium.launch({
  executablePath: exe,
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-gpu', '--enable-precise-memory-info', '--js-flags=--expose-gc'],
});
const firstBarScript = () => {
  new MutationObserver((_, obs) => {
    if (document.querySelector('[data-testid=dist-bar]')) {
      window.__firstBar = performance.now();
      obs.disconnect();
    }
  }).observe(document, { childList: true, subtree: true });
};
const results = {};
const ratio = (a, b) => median(a) / median(b);

// ---------------------------------------------------------------- P7 cold start
const firstVisit = [];
const repeatVisit = [];
const bare = [];
for (let r = 0; r < (QUICK ? 2 : 4); r++) {
  const ctx = await browser.newContext();
  await ctx.addInitScript(firstBarScript);
  const page = await ctx.newPage();
  await page.goto(BASE + '/');
  await page.waitForFunction(() => window.__firstBar, null, { timeout: 120_000 });
  firstVisit.push(await page.evaluate(() => window.__firstBar));
  await page.reload();
  await page.waitForFunction(() => window.__firstBar, null, { timeout: 120_000 });
  repeatVisit.push(await page.evaluate(() => window.__firstBar));
  await ctx.close();
  const bctx = await browser.newContext();
  const bpage = await bctx.newPage();
  await bpage.goto(BASE + '/bench/bare.html');
  await bpage.waitForFunction(() => window.__bare, null, { timeout: 120_000 });
  const b = await bpage.evaluate(() => window.__bare);
  if (b.error) throw new Error(`bare page: ${b.error}`);
  bare.push(b.done);
  await bctx.close();
}
results.P7 = {
  what: 'cold start: navigation → first distribution drawn (ms); bare = transformers.js + model + one forward',
  firstVisit: stats(firstVisit),
  bare: stats(bare),
  repeatVisit: stats(repeatVisit),
  ratioFirstOverBare: ratio(firstVisit, bare),
  ratioRepeatOverFirst: ratio(repeatVisit, firstVisit),
  targets: { ratioFirstOverBare: 1.2, ratioRepeatOverFirst: 0.5 },
};

// ---------------------------------------------------------------- one page for the rest
const ctx = await browser.newContext();
const page = await ctx.newPage();
await page.goto(BASE + '/');
await page.waitForSelector('[data-testid=model-status][data-state=ready]', { timeout: 120_000 });
await page.waitForSelector('[data-testid=dist-bar]');
const run = (fn, arg) => page.evaluate(fn, arg);

// P1: one decode step, UI request → result message on the main thread, vs a raw session.run of one
// token on the same cache in the same worker. Both are measured in the same condition, side by
// side: from a settled page (two animation frames, then a new task, as a click is) — on this
// shared machine a worker that was idle for a frame runs its next forward markedly slower than
// one running back to back. Back-to-back steps and warm raw forwards are reported too.
const p1 = await run(async (reps) => {
  const { controller: c, store } = window.__app;
  const frame = () => new Promise((r) => requestAnimationFrame(() => r(null)));
  const settle = async () => {
    await frame();
    await frame();
    await new Promise((r) => setTimeout(r, 0)); // a click is its own task, not inside a frame callback
  };
  await c.setPrompt('In the beginning God', { force: true });
  for (let i = 0; i < 3; i++) await c.stepForward(); // warm-up
  const step = [];
  const raw = [];
  const backToBack = [];
  const rawWarm = [];
  const withRender = [];
  const worker = [];
  for (let r = 0; r < reps; r++) {
    await settle();
    raw.push(...(await c.benchRawDecode(1)));
    await settle();
    const t0 = performance.now();
    await c.stepForward();
    withRender.push(performance.now() - t0);
    step.push(c.lastStepRoundTripMs);
    worker.push(c.lastStepWorkerMs);
    rawWarm.push(...(await c.benchRawDecode(3)));
    await c.stepForward();
    backToBack.push(c.lastStepRoundTripMs);
    if (store.getState().tree.nodes[store.getState().cursor].depth > 24) await c.reset();
  }
  return { step, raw, backToBack, rawWarm, withRender, worker };
}, QUICK ? 10 : 40);
results.P1 = {
  what: 'decode step: request posted → result message on the main thread ÷ raw forward of one token (ms), both from a settled page; backToBack ÷ rawWarm = the same with the previous request just finished; withRender = until the store and React are done',
  step: stats(p1.step),
  rawForward: stats(p1.raw),
  backToBack: stats(p1.backToBack),
  rawWarm: stats(p1.rawWarm),
  withRender: stats(p1.withRender),
  inWorker: stats(p1.worker),
  ratio: ratio(p1.step, p1.raw),
  ratioBackToBack: ratio(p1.backToBack, p1.rawWarm),
  target: 1.15,
};

// P2: per-token time of our loop (full distribution records) vs transformers.js generate() greedy.
// "Our loop" is Run to end, the loop the product uses to generate many tokens (worker-side run
// chunks streamed to the store, rendered per animation frame); the Step ▶-per-token loop (one
// request and one render per token) is reported too.
const p2 = await run(async ({ n, reps }) => {
  const { controller: c, store } = window.__app;
  const before = store.getState().maxNewTokens;
  await c.updateSettings({ strategy: 'greedy', maxNewTokens: n });
  const ours = [];
  const stepLoop = [];
  const gen = [];
  const depth = () => store.getState().tree.nodes[store.getState().cursor].depth;
  for (let r = 0; r < reps; r++) {
    await c.reset();
    let t0 = performance.now();
    await c.runToEnd();
    ours.push((performance.now() - t0) / depth());
    await c.reset();
    t0 = performance.now();
    for (let i = 0; i < n; i++) await c.stepForward();
    stepLoop.push((performance.now() - t0) / depth());
    gen.push((await c.benchGenerate(n)) / n);
  }
  await c.updateSettings({ maxNewTokens: before });
  return { ours, stepLoop, gen };
}, { n: 32, reps: QUICK ? 3 : 6 });
results.P2 = {
  what: 'per token, 32 greedy tokens: Run to end (worker-side loop, full records, store, rendering) ÷ transformers.js generate() (ms/token); stepLoop = Step ▶ per token',
  ours: stats(p2.ours),
  stepLoop: stats(p2.stepLoop),
  generate: stats(p2.gen),
  ratio: ratio(p2.ours, p2.gen),
  target: 1.0,
};

// P3: one beam step of width 4 vs one greedy step (both batched in the worker)
const p3 = await run(async (reps) => {
  const { controller: c } = window.__app;
  await c.reset();
  const beam = [];
  const greedy = [];
  for (let r = 0; r < reps; r++) {
    const b = await c.benchBeam(4, 12);
    beam.push(b.ms / b.steps);
    const g = await c.benchBeam(1, 12);
    greedy.push(g.ms / g.steps);
  }
  return { beam, greedy };
}, QUICK ? 3 : 8);
results.P3 = { what: 'beam search step, width 4 ÷ width 1 (ms per step)', width4: stats(p3.beam), width1: stats(p3.greedy), ratio: ratio(p3.beam, p3.greedy), target: 1.6 };

// P4: step back until the chart shows the parent step; branching ÷ one forward
const p4 = await run(async (reps) => {
  const { controller: c, store } = window.__app;
  await c.reset();
  for (let i = 0; i < 6; i++) await c.stepForward();
  const back = [];
  const branch = [];
  const branchRendered = [];
  const raw = [];
  const frame = () => new Promise((r) => requestAnimationFrame(() => r(null)));
  const settle = async () => {
    await frame();
    await frame();
    await new Promise((r) => setTimeout(r, 0));
  };
  for (let r = 0; r < reps; r++) {
    // back: from phases spread over the frame (the chart can only show at the next frame)
    await frame();
    await new Promise((res) => setTimeout(res, (r * 7) % 16));
    const t0 = performance.now();
    c.stepBack();
    await frame();
    back.push(performance.now() - t0);
    await c.stepForward();
    // branch vs raw forward: both from a settled page, as P1
    await settle();
    raw.push(...(await c.benchRawDecode(1)));
    const s = store.getState();
    const node = s.tree.nodes[s.cursor];
    const rec = s.records[node.parent].record;
    const other = Array.from(rec.tokenIds).find((id) => id !== node.edge.tokenId && !s.tree.nodes[node.parent].children.some((ch) => s.tree.nodes[ch].edge.tokenId === id));
    await settle();
    const t1 = performance.now();
    await c.chooseToken(other);
    branchRendered.push(performance.now() - t1);
    branch.push(c.lastStepRoundTripMs);
  }
  return { back, branch, branchRendered, raw };
}, QUICK ? 5 : 15);
results.P4 = { what: 'step back until the chart shows the parent (ms); branching to another token: request posted → result message ÷ one raw forward, both from a settled page (branchRendered = until React is done)', back: stats(p4.back), branch: stats(p4.branch), branchRendered: stats(p4.branchRendered), rawForward: stats(p4.raw), branchRatio: ratio(p4.branch, p4.raw), targets: { backMs: 16, branchRatio: 1.15 } };

// P5: the distribution math alone on a 151,936-entry vocabulary vs one Math.exp pass
const p5 = await run(async (reps) => window.__app.controller.benchMath(151936, reps), QUICK ? 5 : 20);
results.P5 = { what: 'distribution math on 151,936 logits ÷ one Math.exp pass (ms)', math: stats(p5.ms.slice(2)), expPass: stats(p5.floorMs.slice(2)), ratio: ratio(p5.ms.slice(2), p5.floorMs.slice(2)), target: 3 };

// P6: 1,000 mixed operations: live tensors, heap per node, heap after reset
const p6 = await run(async (ops) => {
  const { controller: c, store } = window.__app;
  const heap = () => {
    window.gc?.();
    return performance.memory?.usedJSHeapSize ?? NaN;
  };
  await c.reset();
  const start = heap();
  let state = 42;
  const rand = (n) => ((state = (state * 48271) % 2147483647), state % n);
  for (let i = 0; i < ops; i++) {
    const k = rand(10);
    const s = store.getState();
    if (k < 4) {
      if (!(await c.stepForward())) c.jumpHome();
    } else if (k < 6) c.stepBack();
    else if (k < 8) {
      const rec = s.records[s.cursor === 0 ? 0 : s.tree.nodes[s.cursor].parent]?.record;
      if (rec) await c.chooseToken(rec.tokenIds[1 + rand(Math.min(5, rec.tokenIds.length - 1))]);
    } else if (k < 9) await c.jumpTo(rand(s.tree.nodes.length));
    else await c.benchBeam(1 + rand(4), 3);
    if (store.getState().tree.nodes.length > 400) await c.reset();
  }
  const w = await c.stats();
  const nodes = store.getState().tree.nodes.length;
  const atEnd = heap();
  await c.reset();
  await new Promise((r) => setTimeout(r, 200));
  const afterReset = heap();
  return { liveTensors: w.liveTensors, snapshots: w.snapshots, disposedTwice: w.disposedTwice, nodes, start, atEnd, afterReset };
}, QUICK ? 200 : 1000);
const layers = 4;
results.P6 = {
  what: '1,000 mixed operations (step, back, branch, jump, beam): live tensors, heap per node, heap after reset',
  ...p6,
  expectedLiveTensors: p6.snapshots * 2 * layers,
  liveTensorsOk: p6.liveTensors === p6.snapshots * 2 * layers && p6.disposedTwice === 0,
  heapBytesPerNode: (p6.atEnd - p6.start) / Math.max(1, p6.nodes),
  heapAfterResetRatio: p6.afterReset / p6.start,
  target: 'heap after reset within 10 % of start',
};

// P9: a new distribution in the store → 50 bars painted (two animation frames)
const p9 = await run(async (reps) => {
  const { controller: c, store } = window.__app;
  await c.updateSettings({ topN: 50, strategy: 'sample' });
  await c.reset();
  await c.stepForward();
  const frame = () => new Promise((r) => requestAnimationFrame(() => r(null)));
  const out = [];
  for (let r = 0; r < reps; r++) {
    const s = store.getState();
    const node = s.tree.nodes[s.cursor].parent ?? 0;
    const { key, record } = s.records[node];
    // the same tokens with new probabilities, as a new step would bring
    const stageProbs = record.stageProbs.map((p, i) => (i % 2 === r % 2 ? p * 0.9 : p));
    await frame();
    const t0 = performance.now();
    store.setState({ records: { ...s.records, [node]: { key, record: { ...record, stageProbs } } } });
    await Promise.resolve(); // React commits the store update in a microtask
    void document.body.offsetHeight; // style and layout of the new bars (paint itself is not observable)
    out.push(performance.now() - t0);
  }
  return { ms: out, bars: document.querySelectorAll('[data-testid=dist-bar]').length };
}, QUICK ? 10 : 30);
results.P9 = { what: 'chart update: new distribution in the store → React commit + style/layout of the bars (ms; the paint is not observable from script)', update: stats(p9.ms), bars: p9.bars, target: 8 };

// P10 (issue #20): a step with the attention view open ÷ closed, and closed ÷ before this change.
// "Before" is the embedded model's graph from before the attention outputs (git history, served as
// models/tiny-bilingual-gpt2-before/ beside the current one; the same code path: a graph without
// extra outputs is run as before). Open = the step and the view's readout of the shown step (the
// attention and lens came with the step's forward; the view fetches them from the worker's LRU).
// Rounds alternate the three conditions (one model load each) so drift on the shared machine hits all.
const p10 = await run(async ({ reps, rounds }) => {
  const { controller: c, store, attention } = window.__app;
  const frame = () => new Promise((r) => requestAnimationFrame(() => r(null)));
  const settle = async () => {
    await frame();
    await frame();
    await new Promise((r) => setTimeout(r, 0));
  };
  const shownKey = () => {
    const s = store.getState();
    const gen = [];
    let id = s.tree.nodes[s.cursor].parent ?? 0;
    while (id !== null && s.tree.nodes[id].edge) {
      gen.unshift(s.tree.nodes[id].edge.tokenId);
      id = s.tree.nodes[id].parent;
    }
    return `${s.info.id}\u0000${[...s.tree.promptIds, ...gen].join(',')}`;
  };
  const out = { before: [], closed: [], open: [], worker: { before: [], closed: [], open: [] }, rounds: [] };
  const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  for (let round = 0; round < rounds; round++) {
    const mark = { before: out.before.length, closed: out.closed.length, open: out.open.length };
    for (const [name, model, open] of [['before', 'tiny-bilingual-gpt2-before', false], ['closed', 'tiny-bilingual-gpt2', false], ['open', 'tiny-bilingual-gpt2', true]]) {
      await c.loadModel({ kind: 'embedded', name: model });
      await c.updateSettings({ strategy: 'greedy' }); // P3 leaves beam search selected; the same tokens in every condition
      await c.setAttentionOpen(open);
      await c.setPrompt('In the beginning God', { force: true });
      for (let i = 0; i < 3; i++) await c.stepForward(); // warm-up
      for (let r = 0; r < reps; r++) {
        await settle();
        const t0 = performance.now();
        await c.stepForward();
        if (open) {
          const key = shownKey();
          while (!attention.getState().readouts.has(key)) await new Promise((res) => setTimeout(res, 0));
        }
        out[name].push(performance.now() - t0);
        out.worker[name].push(c.lastStepWorkerMs);
        if (store.getState().tree.nodes[store.getState().cursor].depth > 24) await c.reset();
      }
    }
    const m = (k) => med(out[k].slice(mark[k]));
    out.rounds.push({ openOverClosed: m('open') / m('closed'), closedOverBefore: m('closed') / m('before') });
  }
  await c.setAttentionOpen(false);
  return out;
}, { reps: QUICK ? 8 : 12, rounds: QUICK ? 2 : 6 });
results.P10 = {
  what: 'attention view (issue #20): a step until the app is done (ms) with the view open (incl. its readout) ÷ closed, and closed ÷ the graph from before the attention outputs; alternating rounds in one page',
  before: stats(p10.before),
  closed: stats(p10.closed),
  open: stats(p10.open),
  openOverClosed: ratio(p10.open, p10.closed),
  closedOverBefore: ratio(p10.closed, p10.before),
  // per round (conditions side by side within a round), and the worker's own time of the step request
  roundRatios: p10.rounds,
  medianRoundOpenOverClosed: median(p10.rounds.map((r) => r.openOverClosed)),
  medianRoundClosedOverBefore: median(p10.rounds.map((r) => r.closedOverBefore)),
  inWorker: { before: stats(p10.worker.before), closed: stats(p10.worker.closed), open: stats(p10.worker.open) },
  inWorkerOpenOverClosed: ratio(p10.worker.open, p10.worker.closed),
  inWorkerClosedOverBefore: ratio(p10.worker.closed, p10.worker.before),
  target: { openOverClosed: 1.3, closedOverBefore: 1.05 },
};

await browser.close();
stop();

// P8: JavaScript the main thread loads before the first distribution (gzip), from the build
const html = readFileSync('dist/index.html', 'utf8');
const mainScripts = [...html.matchAll(/(?:src|href)="\/?(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
const gz = (f) => gzipSync(readFileSync(`dist/${f}`)).length;
const workerJs = readdirSync('dist/assets').filter((f) => f.startsWith('model.worker') && f.endsWith('.js'));
results.P8 = {
  what: 'main-thread JavaScript before the first distribution, gzip bytes (worker, wasm and model separately)',
  mainThreadGzip: mainScripts.reduce((a, f) => a + gz(f), 0),
  files: mainScripts,
  workerGzip: workerJs.reduce((a, f) => a + gz(`assets/${f}`), 0),
  target: 250 * 1024,
};

const rows = [
  ['P1', 'step ÷ raw forward', results.P1.ratio, '≤ 1.15', `${results.P1.step.median.toFixed(2)} ms vs ${results.P1.rawForward.median.toFixed(2)} ms (in worker ${results.P1.inWorker.median.toFixed(2)}; back to back ${results.P1.backToBack.median.toFixed(2)} vs ${results.P1.rawWarm.median.toFixed(2)} = ${results.P1.ratioBackToBack.toFixed(2)}; with render ${results.P1.withRender.median.toFixed(1)} ms)`],
  ['P2', 'Run to end ÷ generate()', results.P2.ratio, '≤ 1.0', `${results.P2.ours.median.toFixed(2)} vs ${results.P2.generate.median.toFixed(2)} ms/token (Step ▶ loop ${results.P2.stepLoop.median.toFixed(2)})`],
  ['P3', 'beam(4) ÷ greedy step', results.P3.ratio, '≤ 1.6', `${results.P3.width4.median.toFixed(2)} vs ${results.P3.width1.median.toFixed(2)} ms/step`],
  ['P4', 'step back (ms)', results.P4.back.median, '< 16', `min ${results.P4.back.min.toFixed(1)} max ${results.P4.back.max.toFixed(1)}`],
  ['P4', 'branch ÷ forward', results.P4.branchRatio, '≤ 1.15', `${results.P4.branch.median.toFixed(2)} vs ${results.P4.rawForward.median.toFixed(2)} ms (rendered ${results.P4.branchRendered.median.toFixed(1)} ms)`],
  ['P5', 'math ÷ exp pass (151,936)', results.P5.ratio, '≤ 3', `${results.P5.math.median.toFixed(2)} vs ${results.P5.expPass.median.toFixed(2)} ms`],
  ['P6', 'live tensors ok', results.P6.liveTensorsOk ? 1 : 0, '= 1', `${results.P6.liveTensors} live, ${results.P6.snapshots} snapshots`],
  ['P6', 'heap after reset ÷ start', results.P6.heapAfterResetRatio, '≤ 1.10', `${(results.P6.heapBytesPerNode / 1024).toFixed(1)} KiB per node`],
  ['P7', 'first visit ÷ bare page', results.P7.ratioFirstOverBare, '≤ 1.2', `${results.P7.firstVisit.median.toFixed(0)} vs ${results.P7.bare.median.toFixed(0)} ms`],
  ['P7', 'repeat ÷ first visit', results.P7.ratioRepeatOverFirst, '≤ 0.5', `${results.P7.repeatVisit.median.toFixed(0)} ms repeat`],
  ['P8', 'main-thread JS, KiB gzip', results.P8.mainThreadGzip / 1024, '≤ 250', `worker ${(results.P8.workerGzip / 1024).toFixed(0)} KiB gzip`],
  ['P10', 'attention open ÷ closed', results.P10.openOverClosed, '≤ 1.3', `${results.P10.open.median.toFixed(2)} vs ${results.P10.closed.median.toFixed(2)} ms (median of per-round ratios ${results.P10.medianRoundOpenOverClosed.toFixed(2)}; in worker ${results.P10.inWorkerOpenOverClosed.toFixed(2)})`],
  ['P10', 'closed ÷ before #20', results.P10.closedOverBefore, '≤ 1.05', `${results.P10.closed.median.toFixed(2)} vs ${results.P10.before.median.toFixed(2)} ms (median of per-round ratios ${results.P10.medianRoundClosedOverBefore.toFixed(2)}; in worker ${results.P10.inWorkerClosedOverBefore.toFixed(2)})`],
  ['P9', 'chart update (ms)', results.P9.update.median, '≤ 8', `${results.P9.bars} bars, max ${results.P9.update.max.toFixed(1)} ms`],
];
console.log('\nid  measurement                  value     target   detail (medians)');
for (const [id, what, v, target, detail] of rows) console.log(`${id.padEnd(3)} ${what.padEnd(28)} ${v.toFixed(3).padStart(8)}  ${target.padEnd(7)}  ${detail}`);
writeFileSync('bench/results.json', JSON.stringify({ date: new Date().toISOString(), quick: QUICK, results }, null, 1));
console.log('\nwrote bench/results.json');
process.exit(0);
