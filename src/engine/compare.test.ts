import { describe, expect, it } from 'vitest';
import { beamBestSoFar, firstDivergence, type BeamStepView } from './compare.ts';
import { beamStep, initialBeamState, type BeamOptions } from './beam.ts';

describe('firstDivergence(a, b)', () => {
  it.each([
    [[1, 2, 3], [1, 2, 3], null],
    [[1, 2, 3], [1, 5, 3], 1],
    [[7], [8], 0],
    [[1, 2], [1, 2, 9, 9], null],
    [[], [4], null],
    [[1, 2, 3, 4], [1, 2, 3, 5], 3],
  ] as const)('%j vs %j → %j', (a, b, want) => expect(firstDivergence(a, b)).toBe(want));
});

/** Log-probability rows over a 4-token vocabulary (token 3 = EOS), written out by hand. */
const ln = Math.log;
function row(p: readonly number[]): Float64Array {
  return Float64Array.from(p.map((x) => (x > 0 ? ln(x) : -Infinity)));
}

describe('beamBestSoFar(steps, t)', () => {
  // k = 2, no EOS reached: step 0 from the prompt, step 1 where the second beam overtakes the first
  const opts: BeamOptions = { beamWidth: 2, lengthPenalty: 1, earlyStopping: 'false', eosTokenId: 3, maxNewTokens: 3 };
  const steps: BeamStepView[] = [];
  let state = initialBeamState();
  const feed = (rows: Float64Array[]) => {
    const before = state.running.map((b) => ({ tokens: b.tokens.slice(), sumLogprobs: b.sumLogprobs }));
    const r = beamStep(state, rows, opts);
    state = r.state;
    steps.push({ beams: before, candidates: r.candidates, finished: state.finished, done: state.done });
  };
  feed([row([0.6, 0.3, 0.1, 0])]); // beams: [0] (ln .6), [1] (ln .3)
  feed([row([0.4, 0.35, 0.25, 0]), row([0, 0, 0.95, 0.05])]); // [0,0]=.24, [0,1]=.21, [1,2]=.285 → best [1,2]
  // running is now [[1,2], [0,0]]; max length: the top two candidates finish
  feed([row([0.5, 0.5, 0, 0]), row([0.9, 0.1, 0, 0])]); // [1,2,0] = .1425, [0,0,0] = .216

  it('after step 0 is the most probable first token', () => {
    const b = beamBestSoFar(steps, 0);
    expect(b.tokens).toEqual([0]);
    expect(b.logprobs[0]).toBeCloseTo(ln(0.6), 12);
    expect(b.final).toBe(false);
  });
  it('after step 1 the lower beam overtakes: its first token changes', () => {
    const b = beamBestSoFar(steps, 1);
    expect(b.tokens).toEqual([1, 2]);
    expect(b.logprobs[0]).toBeCloseTo(ln(0.3), 12);
    expect(b.logprobs[1]).toBeCloseTo(ln(0.95), 12);
  });
  it('at the last step is the best finished hypothesis (score Σ ln p / L)', () => {
    // the first beam takes the lead back: .6·.4·.9 = .216 > .3·.95·.5 = .1425
    const b = beamBestSoFar(steps, 2);
    expect(b.final).toBe(true);
    expect(b.tokens).toEqual([0, 0, 0]);
    expect(b.logprobs.map((x) => Math.exp(x))).toEqual([0.6, 0.4, 0.9].map((x) => expect.closeTo(x, 12)));
  });
  it('rejects a step outside the run', () => {
    expect(() => beamBestSoFar(steps, 3)).toThrow(RangeError);
  });
});
