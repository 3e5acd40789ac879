#!/usr/bin/env node
/**
 * npm run bench — drives the production build in headless Chromium (the browser the tests use),
 * measures each quantity several times after warm-up, prints medians with min/max and writes
 * bench/results.json. Ratios are taken from measurements made side by side in the same run.
 * Needs /usr/bin/chromium or $CHROMIUM_PATH. Options: --no-build, --quick, --model <shape> [--variant fp32|q4|q4f16]:
 * P1–P9 on a real-size fixture of tools/model (~/.cache/token-by-token/realsize, built by tests/realsize*.test.ts)
 * served by bench/hub.mjs as a Hub repository, loaded through the app's Hub path; results in bench/results-<shape>.json.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import { startHub } from './hub.mjs';

const argv = process.argv.slice(2);
const args = new Set(argv);
const valueOf = (flag) => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);
/** A real-size fixture shape (tools/model/realsize_*.py), or undefined for the embedded model. */
const MODEL = valueOf('--model');
const VARIANT = valueOf('--variant') ?? 'fp32';
let modelDir;
if (MODEL) {
  const root = join(homedir(), '.cache', 'token-by-token', 'realsize');
  const built = (existsSync(root) ? readdirSync(root) : [])
    .filter((d) => d.startsWith(`${MODEL}-`) && existsSync(join(root, d, 'DONE')) && existsSync(join(root, d, VARIANT)))
    .map((d) => join(root, d))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (!built.length) {
    console.error(`no built fixture ${MODEL}/${VARIANT} under ${root}: run the real-size vitest file that builds it first`);
    process.exit(2);
  }
  modelDir = join(built[0], VARIANT);
  console.log(`model: ${modelDir}`);
}
const QUICK = args.has('--quick');
// --only=P10,P11: run just those measurements (results.json keeps the others' last values); the
// sections below are wrapped in `if (want(id))` blocks, left unindented to keep the diff small
const ONLY = [...args].find((a) => a.startsWith('--only='))?.slice(7).split(',') ?? null;
const want = (id) => !ONLY || ONLY.includes(id);
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
// P12's "before": the embedded model folder with the graph from before issue #20 (from git history)
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
if (want('P7')) {
const firstVisit = [];
const repeatVisit = [];
const bare = [];
// the embedded model's cold start; a --model run measures P7 below, after the other numbers
for (let r = 0; r < (MODEL ? 0 : QUICK ? 2 : 4); r++) {
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
if (!MODEL) results.P7 = {
  what: 'cold start: navigation → first distribution drawn (ms); bare = transformers.js + model + one forward',
  firstVisit: stats(firstVisit),
  bare: stats(bare),
  repeatVisit: stats(repeatVisit),
  ratioFirstOverBare: ratio(firstVisit, bare),
  ratioRepeatOverFirst: ratio(repeatVisit, firstVisit),
  targets: { ratioFirstOverBare: 1.2, ratioRepeatOverFirst: 0.5 },
};

}
// ---------------------------------------------------------------- one page for the rest
const ctx = await browser.newContext();
const page = await ctx.newPage();
await page.goto(BASE + '/');
await page.waitForSelector('[data-testid=model-status][data-state=ready]', { timeout: 120_000 });
await page.waitForSelector('[data-testid=dist-bar]');
const run = (fn, arg) => page.evaluate(fn, arg);
let hub;
const infoOf = () => run(() => {
  const i = window.__app.store.getState().info;
  return { id: i.id, dtype: i.dtype, vocabSize: i.vocabSize, modelType: i.modelType, threads: i.threads };
});
let info = await infoOf();
if (MODEL) {
  hub = await startHub({ [`bench/${MODEL}`]: modelDir });
  const t0 = Date.now();
  const err = await run(async ({ modelId, host, dtype }) => {
    const { controller: c, store } = window.__app;
    await c.loadModel({ kind: 'hub', modelId, host, dtype }, 'wasm');
    const s = store.getState();
    return s.status === 'ready' && s.info.id === modelId ? null : (s.loadError?.message ?? `status ${s.status}, model ${s.info.id}`);
  }, { modelId: `bench/${MODEL}`, host: hub.url, dtype: VARIANT });
  if (err) throw new Error(`loading ${MODEL}: ${err}`);
  await page.waitForSelector('[data-testid=dist-bar]');
  info = await infoOf();
  console.log(`loaded ${info.id} (${info.modelType}, ${info.dtype}, vocabulary ${info.vocabSize}, ${info.threads} thread(s)) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

if (want('P1')) {
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
  // greedy (the app's default is sampling, which may stop at EOS and leave nothing to step)
  await c.updateSettings({ strategy: 'greedy' });
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
    // the raw decode computed (and cached) the cursor's logits: step once unmeasured, so the measured step
    // needs a forward of its own (a step from a node whose logits are cached is answered without one)
    await c.stepForward();
    await settle();
    const t0 = performance.now();
    await c.stepForward();
    withRender.push(performance.now() - t0);
    step.push(c.lastStepRoundTripMs);
    worker.push(c.lastStepWorkerMs);
    rawWarm.push(...(await c.benchRawDecode(3)));
    await c.stepForward();
    await c.stepForward();
    backToBack.push(c.lastStepRoundTripMs);
    if (store.getState().tree.nodes[store.getState().cursor].depth > 20 || !c.canStep()) await c.reset();
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

}
if (want('P2')) {
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
  target: MODEL ? 1.05 : 1.0,
};

// P1 and P2 before ÷ after the durability journal (issue #19): the same page and run, journaling off
// ("before": only the debounced IndexedDB snapshot) and on ("after": every change also written
// synchronously to localStorage), alternated per repetition so both see the same load. P1's round
// trip ends before the store is touched, so the journal shows in P1 until the store and React are
// done (withRender) and in P2's Run to end (records applied to the store per frame).
const pj = await run(async ({ n, reps }) => {
  const { controller: c, store } = window.__app;
  const frame = () => new Promise((r) => requestAnimationFrame(() => r(null)));
  const settle = async () => {
    await frame();
    await frame();
    await new Promise((r) => setTimeout(r, 0));
  };
  const before = store.getState().maxNewTokens;
  await c.updateSettings({ strategy: 'greedy', maxNewTokens: n });
  const depth = () => store.getState().tree.nodes[store.getState().cursor].depth;
  const out = { off: { step: [], withRender: [], run: [] }, on: { step: [], withRender: [], run: [] } };
  for (let r = 0; r < reps; r++) {
    for (const mode of r % 2 ? ['on', 'off'] : ['off', 'on']) {
      await c.benchJournal(mode === 'on');
      await c.reset();
      for (let i = 0; i < 4; i++) {
        await settle();
        const d0 = depth();
        const t0 = performance.now();
        await c.stepForward();
        const ms = performance.now() - t0;
        if (depth() !== d0 + 1) continue; // no step was taken (stopped): nothing measured
        out[mode].withRender.push(ms);
        out[mode].step.push(c.lastStepRoundTripMs);
      }
      await c.reset();
      const t0 = performance.now();
      await c.runToEnd();
      out[mode].run.push((performance.now() - t0) / depth());
    }
  }
  await c.benchJournal(true);
  await c.updateSettings({ maxNewTokens: before });
  return out;
}, { n: 32, reps: QUICK ? 4 : 16 });
results.journal = {
  what: 'P1 and P2 before ÷ after the synchronous journal (issue #19), alternated in one run: step round trip (ms), step until the store and React are done (ms), Run to end (ms/token); before = journaling off, after = on',
  before: { step: stats(pj.off.step), withRender: stats(pj.off.withRender), runToEnd: stats(pj.off.run) },
  after: { step: stats(pj.on.step), withRender: stats(pj.on.withRender), runToEnd: stats(pj.on.run) },
  p1BeforeOverAfter: ratio(pj.off.step, pj.on.step),
  p1RenderedBeforeOverAfter: ratio(pj.off.withRender, pj.on.withRender),
  p2BeforeOverAfter: ratio(pj.off.run, pj.on.run),
};

}
if (want('P3')) {
// P3: one beam step of width 4 vs one greedy step (both batched in the worker)
const p3 = await run(async (reps) => {
  const { controller: c } = window.__app;
  await c.reset();
  for (let i = 0; i < 6; i++) await c.stepForward();
  const beam = [];
  const greedy = [];
  const raw4 = [];
  const raw1 = [];
  for (let r = 0; r < reps; r++) {
    const b = await c.benchBeam(4, 12);
    beam.push(b.ms / b.steps);
    const g = await c.benchBeam(1, 12);
    greedy.push(g.ms / g.steps);
    // the model's own cost of 4 rows: raw session.run of one token on 4 copies of the node's cache ÷ on 1
    raw4.push(...(await c.benchRawDecode(2, 4)));
    raw1.push(...(await c.benchRawDecode(2, 1)));
  }
  return { beam, greedy, raw4, raw1 };
}, QUICK ? 3 : 8);
results.P3 = {
  what: 'beam search step, width 4 ÷ width 1 (ms per step); rawRatio = raw session.run of 4 rows ÷ 1 row on the same node (the forward alone, no gather, no beam math)',
  width4: stats(p3.beam),
  width1: stats(p3.greedy),
  raw4: stats(p3.raw4),
  raw1: stats(p3.raw1),
  ratio: ratio(p3.beam, p3.greedy),
  rawRatio: ratio(p3.raw4, p3.raw1),
  target: MODEL ? 2.0 : 1.6,
};

}
if (want('P4')) {
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

}
if (want('P5')) {
// P5: the distribution math alone on a 151,936-entry vocabulary vs one Math.exp pass
// (151,936 in every run, for comparison with earlier runs; a --model run adds 50,257 and 262,144, target 2.5 there)
for (const V of MODEL ? [50257, 151936, 262144] : [151936]) {
  const p5 = await run(async ({ V, reps }) => window.__app.controller.benchMath(V, reps), { V, reps: QUICK ? 5 : 20 });
  const key = V === 151936 ? 'P5' : `P5_${V}`;
  results[key] = { what: `distribution math on ${V.toLocaleString('en')} logits ÷ one Math.exp pass (ms)`, vocabSize: V, math: stats(p5.ms.slice(2)), expPass: stats(p5.floorMs.slice(2)), ratio: ratio(p5.ms.slice(2), p5.floorMs.slice(2)), target: MODEL ? 2.5 : 3 };
}

}
if (want('P6')) {
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
  let maxNodes = 0;
  let maxCacheBytes = 0;
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
    maxNodes = Math.max(maxNodes, store.getState().tree.nodes.length);
    if (i % 50 === 49) maxCacheBytes = Math.max(maxCacheBytes, (await c.stats()).cacheBytes);
    if (store.getState().tree.nodes.length > 400) await c.reset();
  }
  const w = await c.stats();
  maxCacheBytes = Math.max(maxCacheBytes, w.cacheBytes);
  const nodes = store.getState().tree.nodes.length;
  const atEnd = heap();
  await c.reset();
  await new Promise((r) => setTimeout(r, 200));
  const afterReset = heap();
  return { liveTensors: w.liveTensors, snapshots: w.snapshots, disposedTwice: w.disposedTwice, cacheBytes: w.cacheBytes, budgetBytes: w.budgetBytes, evictions: w.evictions, rebuilds: w.rebuilds, rebuiltTokens: w.rebuiltTokens, maxNodes, maxCacheBytes, nodes, start, atEnd, afterReset };
}, QUICK && !MODEL ? 200 : 1000); // --model: always 1,000 (≥ 200 nodes against the budget)
const config = MODEL ? JSON.parse(readFileSync(join(modelDir, 'config.json'), 'utf8')) : null;
const layers = config ? (config.num_hidden_layers ?? config.n_layer) : 4;
results.P6 = {
  what: '1,000 mixed operations (step, back, branch, jump, beam): live tensors, heap per node, heap after reset',
  ...p6,
  expectedLiveTensors: p6.snapshots * 2 * layers,
  liveTensorsOk: p6.liveTensors === p6.snapshots * 2 * layers && p6.disposedTwice === 0,
  heapBytesPerNode: (p6.atEnd - p6.start) / Math.max(1, p6.nodes),
  heapAfterResetRatio: p6.afterReset / p6.start,
  withinBudget: p6.maxCacheBytes <= p6.budgetBytes,
  target: 'heap after reset within 10 % of start; snapshot bytes within the budget',
};

}
if (want('P9')) {
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

}
// P7 for a --model run: the app's Hub load of the model until its first distribution is drawn (from the
// load request, the page and the embedded model already up) ÷ the bare page's worker loading the same repository
// from the same host with transformers.js and running one forward (from its request); fresh profiles both.
if (MODEL) {
  const appLoad = [];
  const appPhases = [];
  const bareLoad = [];
  const bareCached = [];
  for (let r = 0; r < (QUICK ? 1 : 2); r++) {
    const actx = await browser.newContext();
    const apage = await actx.newPage();
    await apage.goto(BASE + '/');
    await apage.waitForSelector('[data-testid=model-status][data-state=ready]', { timeout: 120_000 });
    await apage.waitForSelector('[data-testid=dist-bar]');
    const ms = await apage.evaluate(async ({ modelId, host, dtype }) => {
      const { controller: c, store } = window.__app;
      const frame = () => new Promise((res) => requestAnimationFrame(() => res(null)));
      const t0 = performance.now();
      // phases: 'downloaded' = progress first at its running total (files started so far; not the end), ready, drawn
      let downloaded = NaN;
      let ready = NaN;
      const unsub = store.subscribe((st) => {
        if (Number.isNaN(downloaded) && st.loadTotalBytes > 0 && st.loadBytes >= st.loadTotalBytes) downloaded = performance.now() - t0;
        if (Number.isNaN(ready) && st.status === 'ready' && st.info.id === modelId) ready = performance.now() - t0;
      });
      await c.loadModel({ kind: 'hub', modelId, host, dtype }, 'wasm');
      unsub();
      const s = store.getState();
      if (s.info.id !== modelId || !s.records[s.cursor]) return { total: NaN };
      await frame();
      return { total: performance.now() - t0, downloaded, ready };
    }, { modelId: `bench/${MODEL}`, host: hub.url, dtype: VARIANT });
    appLoad.push(ms.total);
    appPhases.push(ms);
    await actx.close();
    const bctx = await browser.newContext();
    const bpage = await bctx.newPage();
    await bpage.goto(`${BASE}/bench/bare.html?model=${encodeURIComponent(`bench/${MODEL}`)}&host=${encodeURIComponent(hub.url)}&dtype=${VARIANT}`);
    await bpage.waitForFunction(() => window.__bare, null, { timeout: 600_000 });
    const b = await bpage.evaluate(() => window.__bare);
    if (b.error) throw new Error(`bare page: ${b.error}`);
    bareLoad.push(b.fromRequest);
    await bctx.close();
    // the same, storing every file in Cache Storage as the app's Hub path does
    const cctx = await browser.newContext();
    const cpage = await cctx.newPage();
    await cpage.goto(`${BASE}/bench/bare.html?model=${encodeURIComponent(`bench/${MODEL}`)}&host=${encodeURIComponent(hub.url)}&dtype=${VARIANT}&cache=1`);
    await cpage.waitForFunction(() => window.__bare, null, { timeout: 600_000 });
    const bc = await cpage.evaluate(() => window.__bare);
    if (bc.error) throw new Error(`bare page (cache): ${bc.error}`);
    bareCached.push(bc.fromRequest);
    await cctx.close();
  }
  results.P7 = {
    what: 'model load until the first distribution is drawn: the app (Hub path, from the load request) ÷ the bare page (transformers.js in a worker, from its request; one forward), same host, fresh profiles',
    firstVisit: stats(appLoad),
    appPhases,
    bare: stats(bareLoad),
    bareWithCacheStorage: stats(bareCached),
    ratioFirstOverBare: ratio(appLoad, bareLoad),
    targets: { ratioFirstOverBare: 1.2 },
  };
}

if (want('P10')) {
// P10 (issue #21): speculative decoding with prompt lookup on a repeated passage, greedy, 64 tokens.
// Target forwards per token counts every verification pass, the first one (which also reads the
// prompt, as plain stepping's first forward does) included; plain stepping is 1 forward per token.
// Wall clock per token of the speculative run (worker rounds + the kept tokens made tree edges +
// rendering) ÷ plain stepping (Step ▶ per token) and ÷ Run to end, from a reset tree each time.
const SPEC_PASSAGES = {
  bench: 'In the beginning God created the heaven and the earth. In the beginning God created the heaven and the earth. In the beginning',
  fox: 'The quick brown fox jumps over the lazy dog. The quick brown fox jumps over the lazy dog. The quick brown fox',
};
const p10 = {};
for (const [name, passage] of Object.entries(SPEC_PASSAGES)) {
  p10[name] = await run(async ({ passage, n, reps }) => {
    const { controller: c, store } = window.__app;
    await c.updateSettings({ strategy: 'greedy', maxNewTokens: n });
    await c.setPrompt(passage, { force: true });
    const depth = () => store.getState().tree.nodes[store.getState().cursor].depth;
    const spec = [];
    const step = [];
    const runEnd = [];
    let forwards = 0;
    let tokens = 0;
    let rounds = 0;
    for (let r = 0; r < reps; r++) {
      await c.reset();
      let t0 = performance.now();
      await c.runSpeculative('prompt-lookup', 5);
      const sr = store.getState().specRun;
      spec.push((performance.now() - t0) / sr.tokens.length);
      forwards = sr.targetForwards;
      tokens = sr.tokens.length;
      rounds = sr.rounds.length;
      await c.reset();
      t0 = performance.now();
      while (depth() < tokens && (await c.stepForward()));
      step.push((performance.now() - t0) / depth());
      await c.reset();
      t0 = performance.now();
      await c.runToEnd();
      runEnd.push((performance.now() - t0) / depth());
    }
    return { spec, step, runEnd, forwards, tokens, rounds };
  }, { passage, n: 64, reps: QUICK ? 3 : 8 });
}
results.P10 = {
  what: 'speculative decoding, prompt lookup (k = 5), greedy, 64 new tokens on a repeated passage: target forwards per token (the first, prompt-reading round included) and wall clock per token ÷ plain stepping (Step ▶ per token) and ÷ Run to end',
  passages: SPEC_PASSAGES,
  ...Object.fromEntries(
    Object.entries(p10).map(([name, r]) => [
      name,
      { tokens: r.tokens, rounds: r.rounds, targetForwards: r.forwards, forwardsPerToken: r.forwards / r.tokens, specMsPerToken: stats(r.spec), stepMsPerToken: stats(r.step), runToEndMsPerToken: stats(r.runEnd), ratioOverStep: ratio(r.spec, r.step), ratioOverRunToEnd: ratio(r.spec, r.runEnd) },
    ]),
  ),
  targets: { forwardsPerToken: 0.6 },
};

}
if (want('P11')) {
// P11 (issue #21): the constraint mask per step ÷ P5's distribution math, on synthetic BPE-shaped
// byte vocabularies. 'follow': steps along a JSON schema, mean fresh walk ÷ mean computeStep (a step
// pays the walk on its first visit of a state, then a cached mask); 'worst': the costliest state
// (inside a JSON string, nearly every token allowed), median walk ÷ median computeStep.
const p11 = {};
for (const size of [50257, 151936]) {
  p11[size] = await run(async ({ size, steps, reps }) => {
    const c = window.__app.controller;
    const follow = await c.benchMask(size, steps, 'follow');
    const worst = await c.benchMask(size, reps, 'worst');
    return { follow, worst };
  }, { size, steps: QUICK ? 30 : 60, reps: QUICK ? 7 : 15 });
}
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
results.P11 = {
  what: 'constraint mask per step ÷ distribution math (computeStep, P5 settings), synthetic vocabularies; follow = mean fresh walk ÷ mean math along a JSON schema (cached apply reported too); worst = median walk ÷ median math in the costliest state',
  ...Object.fromEntries(
    Object.entries(p11).map(([size, r]) => {
      const f = { walk: r.follow.walkMs.slice(2), math: r.follow.mathMs.slice(2), apply: r.follow.applyMs.slice(2) };
      return [
        size,
        {
          steps: f.walk.length,
          walkMs: stats(f.walk),
          applyMs: stats(f.apply),
          mathMs: stats(f.math),
          followRatio: mean(f.walk) / mean(f.math),
          applyRatio: mean(f.apply) / mean(f.math),
          worstWalkMs: stats(r.worst.walkMs),
          worstMathMs: stats(r.worst.mathMs),
          worstRatio: ratio(r.worst.walkMs, r.worst.mathMs),
        },
      ];
    }),
  ),
  targets: { 50257: 1.0, 151936: 1.5 },
};

}
if (want('P12')) {
// P12 (issue #20): a step with the attention view open ÷ closed, and closed ÷ before this change.
// "Before" is the embedded model's graph from before the attention outputs (git history, served as
// models/tiny-bilingual-gpt2-before/ beside the current one; the same code path: a graph without
// extra outputs is run as before). Open = the step and the view's readout of the shown step (the
// attention and lens came with the step's forward; the view fetches them from the worker's LRU).
// Rounds alternate the three conditions (one model load each) so drift on the shared machine hits all.
const p12 = await run(async ({ reps, rounds }) => {
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
results.P12 = {
  what: 'attention view (issue #20): a step until the app is done (ms) with the view open (incl. its readout) ÷ closed, and closed ÷ the graph from before the attention outputs; alternating rounds in one page',
  before: stats(p12.before),
  closed: stats(p12.closed),
  open: stats(p12.open),
  openOverClosed: ratio(p12.open, p12.closed),
  closedOverBefore: ratio(p12.closed, p12.before),
  // per round (conditions side by side within a round), and the worker's own time of the step request
  roundRatios: p12.rounds,
  medianRoundOpenOverClosed: median(p12.rounds.map((r) => r.openOverClosed)),
  medianRoundClosedOverBefore: median(p12.rounds.map((r) => r.closedOverBefore)),
  inWorker: { before: stats(p12.worker.before), closed: stats(p12.worker.closed), open: stats(p12.worker.open) },
  inWorkerOpenOverClosed: ratio(p12.worker.open, p12.worker.closed),
  inWorkerClosedOverBefore: ratio(p12.worker.closed, p12.worker.before),
  target: { openOverClosed: 1.3, closedOverBefore: 1.05 },
};

}
await browser.close();
hub?.close();
stop();

if (want('P8')) {
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

}

// with --only, the last run's values of the others are kept in the results file (and the rows below print only what ran)
if (ONLY) {
  const file = MODEL ? `bench/results-${MODEL}${VARIANT === 'fp32' ? '' : `-${VARIANT}`}.json` : 'bench/results.json';
  const previous = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).results ?? {} : {};
  for (const [k, v] of Object.entries(previous)) if (!(k in results)) results[k] = v;
}
// rows of what this run measured (with --only, the others are not printed)
const rowsOf = (id, f) => (want(id) ? (() => { try { return f(); } catch { return []; } })() : []);
const rows = [
  ['P1', 'step ÷ raw forward', results.P1.ratio, '≤ 1.15', `${results.P1.step.median.toFixed(2)} ms vs ${results.P1.rawForward.median.toFixed(2)} ms (in worker ${results.P1.inWorker.median.toFixed(2)}; back to back ${results.P1.backToBack.median.toFixed(2)} vs ${results.P1.rawWarm.median.toFixed(2)} = ${results.P1.ratioBackToBack.toFixed(2)}; with render ${results.P1.withRender.median.toFixed(1)} ms)`],
  ['P2', 'Run to end ÷ generate()', results.P2.ratio, `≤ ${results.P2.target}`, `${results.P2.ours.median.toFixed(2)} vs ${results.P2.generate.median.toFixed(2)} ms/token (Step ▶ loop ${results.P2.stepLoop.median.toFixed(2)})`],
  ['P1j', 'step before ÷ after journal', results.journal.p1BeforeOverAfter, 'report', `${results.journal.before.step.median.toFixed(2)} vs ${results.journal.after.step.median.toFixed(2)} ms; until React done ${results.journal.before.withRender.median.toFixed(2)} vs ${results.journal.after.withRender.median.toFixed(2)} ms = ${results.journal.p1RenderedBeforeOverAfter.toFixed(3)}`],
  ['P2j', 'Run to end before ÷ after', results.journal.p2BeforeOverAfter, 'report', `${results.journal.before.runToEnd.median.toFixed(2)} vs ${results.journal.after.runToEnd.median.toFixed(2)} ms/token`],
  ['P3', 'beam(4) ÷ greedy step', results.P3.ratio, `≤ ${results.P3.target}`, `${results.P3.width4.median.toFixed(2)} vs ${results.P3.width1.median.toFixed(2)} ms/step; raw forward 4 rows ÷ 1 row ${results.P3.raw4.median.toFixed(2)} / ${results.P3.raw1.median.toFixed(2)} = ${results.P3.rawRatio.toFixed(2)}`],
  ['P4', 'step back (ms)', results.P4.back.median, '< 16', `min ${results.P4.back.min.toFixed(1)} max ${results.P4.back.max.toFixed(1)}`],
  ['P4', 'branch ÷ forward', results.P4.branchRatio, '≤ 1.15', `${results.P4.branch.median.toFixed(2)} vs ${results.P4.rawForward.median.toFixed(2)} ms (rendered ${results.P4.branchRendered.median.toFixed(1)} ms)`],
  ...Object.values(results)
    .filter((r) => r.vocabSize)
    .map((r) => ['P5', `math ÷ exp pass (${r.vocabSize.toLocaleString('en')})`, r.ratio, `≤ ${r.target}`, `${r.math.median.toFixed(2)} vs ${r.expPass.median.toFixed(2)} ms`]),
  ['P6', 'live tensors ok', results.P6.liveTensorsOk ? 1 : 0, '= 1', `${results.P6.liveTensors} live, ${results.P6.snapshots} snapshots`],
  ['P6', 'heap after reset ÷ start', results.P6.heapAfterResetRatio, '≤ 1.10', `${(results.P6.heapBytesPerNode / 1024).toFixed(1)} KiB per node`],
  ['P6', 'snapshots within budget', results.P6.withinBudget ? 1 : 0, '= 1', `max ${results.P6.maxNodes} nodes, max ${(results.P6.maxCacheBytes / 2 ** 20).toFixed(1)} of ${(results.P6.budgetBytes / 2 ** 20).toFixed(0)} MiB; ${results.P6.evictions} evictions, ${results.P6.rebuilds} rebuilds (${results.P6.rebuiltTokens} tokens)`],
  ...(results.P7
    ? [
        ['P7', MODEL ? 'model load ÷ bare page' : 'first visit ÷ bare page', results.P7.ratioFirstOverBare, '≤ 1.2', `${results.P7.firstVisit.median.toFixed(0)} vs ${results.P7.bare.median.toFixed(0)} ms`],
        ...(results.P7.repeatVisit ? [['P7', 'repeat ÷ first visit', results.P7.ratioRepeatOverFirst, '≤ 0.5', `${results.P7.repeatVisit.median.toFixed(0)} ms repeat`]] : []),
      ]
    : []),
  ['P8', 'main-thread JS, KiB gzip', results.P8.mainThreadGzip / 1024, '≤ 250', `worker ${(results.P8.workerGzip / 1024).toFixed(0)} KiB gzip`],
  ['P9', 'chart update (ms)', results.P9.update.median, '≤ 8', `${results.P9.bars} bars, max ${results.P9.update.max.toFixed(1)} ms`],
  ...rowsOf('P12', () => [
    ['P12', 'attention open ÷ closed', results.P12.openOverClosed, '≤ 1.3', `${results.P12.open.median.toFixed(2)} vs ${results.P12.closed.median.toFixed(2)} ms (median of per-round ratios ${results.P12.medianRoundOpenOverClosed.toFixed(2)}; in worker ${results.P12.inWorkerOpenOverClosed.toFixed(2)})`],
    ['P12', 'closed ÷ before #20', results.P12.closedOverBefore, '≤ 1.05', `${results.P12.closed.median.toFixed(2)} vs ${results.P12.before.median.toFixed(2)} ms (median of per-round ratios ${results.P12.medianRoundClosedOverBefore.toFixed(2)}; in worker ${results.P12.inWorkerClosedOverBefore.toFixed(2)})`],
  ]),
  ...rowsOf('P10', () => [
    ['P10', 'spec: forwards per token', results.P10.bench.forwardsPerToken, '≤ 0.6', `${results.P10.bench.targetForwards} forwards for ${results.P10.bench.tokens} tokens (fox passage: ${results.P10.fox.targetForwards} for ${results.P10.fox.tokens} = ${results.P10.fox.forwardsPerToken.toFixed(2)})`],
    ['P10', 'spec ÷ plain stepping', results.P10.bench.ratioOverStep, 'report', `${results.P10.bench.specMsPerToken.median.toFixed(2)} vs ${results.P10.bench.stepMsPerToken.median.toFixed(2)} ms/token; ÷ Run to end ${results.P10.bench.ratioOverRunToEnd.toFixed(2)}`],
  ]),
  ...rowsOf('P11', () => [
    ['P11', 'mask ÷ math (50,257)', Math.max(results.P11[50257].followRatio, results.P11[50257].worstRatio), '≤ 1.0', `follow ${results.P11[50257].followRatio.toFixed(3)}, worst state ${results.P11[50257].worstRatio.toFixed(3)}, cached apply ${results.P11[50257].applyRatio.toFixed(3)}`],
    ['P11', 'mask ÷ math (151,936)', Math.max(results.P11[151936].followRatio, results.P11[151936].worstRatio), '≤ 1.5', `follow ${results.P11[151936].followRatio.toFixed(3)}, worst state ${results.P11[151936].worstRatio.toFixed(3)}, cached apply ${results.P11[151936].applyRatio.toFixed(3)}`],
  ]),
].filter((r) => r && want(r[0].replace(/j$/, '').replace(/^P1j$/, 'P1')) && Number.isFinite(r[2]));
console.log('\nid  measurement                  value     target   detail (medians)');
for (const [id, what, v, target, detail] of rows) console.log(`${id.padEnd(3)} ${what.padEnd(28)} ${v.toFixed(3).padStart(8)}  ${target.padEnd(7)}  ${detail}`);
const out = MODEL ? `bench/results-${MODEL}${VARIANT === 'fp32' ? '' : `-${VARIANT}`}.json` : 'bench/results.json';
writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), quick: QUICK, ...(ONLY ? { only: ONLY } : {}), model: MODEL ? { shape: MODEL, variant: VARIANT, dir: modelDir, info } : null, results }, null, 1));
console.log(`\nwrote ${out}`);
process.exit(0);
