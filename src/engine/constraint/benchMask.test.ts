import { describe, expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import { benchMask, benchWorstWalk, syntheticVocab } from './benchMask.ts';

const quantile = (a: number[], q: number) => [...a].sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor(a.length * q))];
const median = (a: number[]) => quantile(a, 0.5);
const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;

describe('benchMask(vocab, steps, now)', () => {
  it('follows the bench schema to a complete JSON object on a small synthetic vocabulary', () => {
    const r = benchMask(syntheticVocab(3000), 200, () => performance.now());
    const value = JSON.parse(r.text) as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(['name', 'age', 'city', 'scores']);
    expect(r.walkMs.length).toBe(r.mathMs.length);
  });

  // measurement, not a check: MASK_BENCH=1 npx vitest run src/engine/constraint/benchMask.test.ts
  it.runIf(process.env.MASK_BENCH === '1').each([50_257, 151_936])('timing at V = %i', (size) => {
    const r = benchMask(syntheticVocab(size), 60, () => performance.now());
    const s = (a: number[]) => a.slice(2);
    console.log(
      JSON.stringify({
        vocabSize: size,
        trieNodes: r.trieNodes,
        buildMs: Math.round(r.buildMs),
        steps: r.mathMs.length,
        walkMs: { median: +median(s(r.walkMs)).toFixed(3), mean: +mean(s(r.walkMs)).toFixed(3), p90: +quantile(s(r.walkMs), 0.9).toFixed(3), max: +Math.max(...s(r.walkMs)).toFixed(3) },
        applyMs: { median: +median(s(r.applyMs)).toFixed(3), mean: +mean(s(r.applyMs)).toFixed(3), max: +Math.max(...s(r.applyMs)).toFixed(3) },
        mathMs: { median: +median(s(r.mathMs)).toFixed(3), mean: +mean(s(r.mathMs)).toFixed(3) },
        walkMeanOverMathMean: +(mean(s(r.walkMs)) / mean(s(r.mathMs))).toFixed(3),
        walkMaxOverMathMedian: +(Math.max(...s(r.walkMs)) / median(s(r.mathMs))).toFixed(3),
        applyMeanOverMathMean: +(mean(s(r.applyMs)) / mean(s(r.mathMs))).toFixed(3),
        text: r.text,
      }),
    );
  });

  it.runIf(process.env.MASK_BENCH === '1').each([50_257, 151_936])('worst-state walk at V = %i (min and median of 15, alternated with computeStep)', (size) => {
    const r = benchWorstWalk(syntheticVocab(size), '{"name":"', 15, () => performance.now());
    const min = (a: number[]) => Math.min(...a);
    console.log(
      JSON.stringify({
        vocabSize: size,
        allowed: r.allowed,
        walkMs: { min: +min(r.walkMs).toFixed(3), median: +median(r.walkMs).toFixed(3) },
        mathMs: { min: +min(r.mathMs).toFixed(3), median: +median(r.mathMs).toFixed(3) },
        minOverMin: +(min(r.walkMs) / min(r.mathMs)).toFixed(3),
        medianOverMedian: +(median(r.walkMs) / median(r.mathMs)).toFixed(3),
      }),
    );
  });
});
