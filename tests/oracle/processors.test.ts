import { describe, expect, it } from 'vitest';
import { cumulativeBefore } from '../../src/engine/distribution.ts';
import { finalProbs, runProcessors } from './distribution.ts';
import { sampleToken } from '../../src/engine/sampling.ts';
import { applyRepetitionPenalty, topPMask, applyMask } from './processors.ts';
import { softmax, softmaxStage } from '../../src/engine/softmax.ts';
import { HF_ORDER, TEMPERATURE_LAST_ORDER, validateSamplingSettings, type SamplingSettings } from '../../src/engine/settings.ts';
import { EngineError } from '../../src/engine/errors.ts';

const base: SamplingSettings = { temperature: 1, topK: 0, topP: 1, minP: 0, repetitionPenalty: 1, order: HF_ORDER };
const logitsOf = (probs: number[]) => probs.map(Math.log);
const run = (logits: number[], s: Partial<SamplingSettings>, seen: number[] = []) =>
  Array.from(finalProbs(runProcessors(logits, seen, { ...base, ...s })));

function expectClose(actual: number[], expected: number[], digits = 4) {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => expect(a).toBeCloseTo(expected[i], digits));
}

describe('topP', () => {
  it('[0.5,0.3,0.15,0.05], p=0.6 keeps {0.5,0.3}', () => {
    expectClose(run(logitsOf([0.5, 0.3, 0.15, 0.05]), { topP: 0.6 }), [0.625, 0.375, 0, 0]);
  });
  it('[0.5,0.3,0.15,0.05], p=0.9 keeps three', () => {
    expectClose(run(logitsOf([0.5, 0.3, 0.15, 0.05]), { topP: 0.9 }), [0.5263, 0.3158, 0.1579, 0]);
  });
  it('[0.3,0.1,0.1,0.5], p=0.8 keeps exactly {0.5,0.3} (a naive cumsum ≤ 1−p keeps one 0.1 too many)', () => {
    expectClose(run(logitsOf([0.3, 0.1, 0.1, 0.5]), { topP: 0.8 }), [0.375, 0, 0, 0.625]);
  });
  it('p = 1 keeps all', () => {
    expect(topPMask(softmaxStage(Float64Array.from([1, 2, 3])), 1)).toBeNull();
  });
  it('keeps at least one token for tiny p', () => {
    expectClose(run([1, 2, 3], { topP: 1e-6 }), [0, 0, 1]);
  });
  it('works past the first partial-selection window (vocab 5000, flat)', () => {
    const logits = new Array(5000).fill(0);
    const probs = run(logits, { topP: 0.5 });
    expect(probs.filter((p) => p > 0).length).toBe(2500);
    expect(probs[0]).toBeCloseTo(1 / 2500, 12);
    expect(probs[2499]).toBeGreaterThan(0);
    expect(probs[2500]).toBe(0);
  });
});

describe('temperature', () => {
  it('1e-4 on [2,1,0] → [1,0,0]', () => expectClose(run([2, 1, 0], { temperature: 1e-4 }), [1, 0, 0]));
  it('1e-4 on [1,1,0] → [0.5,0.5,0]', () => expectClose(run([1, 1, 0], { temperature: 1e-4 }), [0.5, 0.5, 0]));
  it('T = 0 → argmax, lowest id on ties', () => {
    expectClose(run([1, 3, 3], { temperature: 0 }), [0, 1, 0]);
  });
  it('T = 2 flattens: p ∝ exp(z/2)', () => {
    expectClose(run([2, 0], { temperature: 2 }), Array.from(softmax([1, 0])), 10);
  });
});

describe('processor order', () => {
  it('logits [3,2,1], top-p 0.8, T 0.5, temperature first → [1,0,0]', () => {
    expectClose(run([3, 2, 1], { topP: 0.8, temperature: 0.5, order: HF_ORDER }), [1, 0, 0]);
  });
  it('temperature last → [0.8808,0.1192,0]', () => {
    expectClose(run([3, 2, 1], { topP: 0.8, temperature: 0.5, order: TEMPERATURE_LAST_ORDER }), [0.8808, 0.1192, 0]);
  });
});

describe('repetition penalty', () => {
  it('2.0 on [2,−1,0.5,0], seen {0,1} → logits [1,−2,0.5,0]', () => {
    expect(Array.from(applyRepetitionPenalty(Float64Array.from([2, -1, 0.5, 0]), [0, 1, 1, 0], 2))).toEqual([1, -2, 0.5, 0]);
    expectClose(run([2, -1, 0.5, 0], { repetitionPenalty: 2 }, [0, 1]), [0.494, 0.0246, 0.2996, 0.1817]);
  });
  it('penalises each distinct id once', () => {
    expect(applyRepetitionPenalty(Float64Array.from([4]), [0, 0, 0], 2)[0]).toBe(2);
  });
});

describe('top-k and min-p', () => {
  it('top-k keeps ties with the k-th', () => {
    expectClose(run([3, 2, 2, 1], { topK: 2 }), Array.from(softmax([3, 2, 2, -Infinity])), 10);
  });
  it('top-k ≥ vocab is the identity', () => {
    expectClose(run([3, 2, 1], { topK: 3 }), Array.from(softmax([3, 2, 1])), 12);
  });
  it('min-p drops p < min_p·p_max', () => {
    // probs [0.5,0.3,0.15,0.05], min_p 0.2 → cut 0.1 → keep first three
    expectClose(run(logitsOf([0.5, 0.3, 0.15, 0.05]), { minP: 0.2 }), [0.5263, 0.3158, 0.1579, 0]);
  });
  it('probabilities sum to 1 after the full chain', () => {
    const logits = Array.from({ length: 300 }, (_, i) => Math.sin(i) * 4);
    const p = run(logits, { temperature: 0.7, topK: 40, topP: 0.9, minP: 0.05, repetitionPenalty: 1.3 }, [1, 2, 3]);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });
});

describe('softmax safety', () => {
  it('logits [12,11,10] (overflow float16) → [0.6652,0.2447,0.0900]', () => {
    expectClose(Array.from(softmax([12, 11, 10])), [0.6652, 0.2447, 0.09]);
  });
  it.each([[NaN], [Infinity], [-Infinity]])('a %s logit is an error state, never NaN probabilities', (bad) => {
    expect(() => runProcessors([1, bad, 0], [], base)).toThrow(EngineError);
    try {
      runProcessors([1, bad, 0], [], base);
    } catch (e) {
      expect((e as EngineError).code).toBe('non-finite-logits');
    }
  });
});

describe('validateSamplingSettings', () => {
  it.each([
    [{ temperature: -1 }, /temperature/],
    [{ topP: 0 }, /topP/],
    [{ topP: 1.2 }, /topP/],
    [{ topK: -1 }, /topK/],
    [{ topK: 1.5 }, /topK/],
    [{ minP: NaN }, /minP/],
    [{ repetitionPenalty: 0 }, /repetitionPenalty/],
  ] as const)('rejects %o', (patch, msg) => {
    expect(() => validateSamplingSettings({ ...base, ...patch })).toThrow(msg);
  });
  it('accepts the defaults', () => expect(() => validateSamplingSettings(base)).not.toThrow());
});

describe('applyMask', () => {
  it('null mask is the identity', () => {
    const s = softmaxStage(Float64Array.from([1, 2]));
    expect(applyMask(s, null)).toBe(s);
  });
});

describe('cumulativeBefore(probs, ids)', () => {
  it('sums the mass of every token before each shown one in sampling order', () => {
    const probs = Float64Array.from([0.1, 0.4, 0.2, 0.3]);
    expect(Array.from(cumulativeBefore(probs, [3, 0]))).toEqual([0.4, 0.4 + 0.3 + 0.2].map((x) => expect.closeTo(x, 12)));
  });
  it('agrees with sampleToken: the sampled token is the one whose interval holds u', () => {
    const logits = Array.from({ length: 500 }, (_, i) => Math.cos(i * 1.7) * 3);
    const probs = finalProbs(runProcessors(logits, [], { ...base, temperature: 1.3 }));
    for (let k = 0; k < 200; k++) {
      const u = (k + 0.5) / 200;
      const { tokenId } = sampleToken(probs, u);
      const [before] = cumulativeBefore(probs, [tokenId]);
      expect(before).toBeLessThanOrEqual(u + 1e-12);
      expect(before + probs[tokenId]).toBeGreaterThan(u - 1e-12);
    }
  });
});
