import { describe, expect, it } from 'vitest';
import { beamStep, initialBeamState, lengthNormalizedScore, type BeamOptions, type BeamState } from './beam.ts';

describe('lengthNormalizedScore (prompt of 10 never counts)', () => {
  // A = 2 tokens + EOS, Σlogp −1.5 (L=3); B = 6 tokens + EOS, Σlogp −3.9 (L=7)
  it.each([
    [1, -0.5, -0.5571, 'A'],
    [2, -0.1667, -0.0796, 'B'],
    [0, -1.5, -3.9, 'A'],
  ])('α=%s → A %s, B %s, %s wins', (alpha, a, b, winner) => {
    const sa = lengthNormalizedScore(-1.5, 3, alpha);
    const sb = lengthNormalizedScore(-3.9, 7, alpha);
    expect(sa).toBeCloseTo(a, 4);
    expect(sb).toBeCloseTo(b, 4);
    expect(sa > sb ? 'A' : 'B').toBe(winner);
  });
});

// vocabulary {x,y,z,w,E}
const [x, y, z, w, E] = [0, 1, 2, 3, 4];
function scripted(prefix: number[]): number[] {
  const key = prefix.join(',');
  if (key === '') return [0.55, 0.4, 0.03, 0.02, 0];
  if (key === `${x}`) return [0.05, 0.05, 0.05, 0.05, 0.8];
  if (key === `${y}`) return [0.1, 0.05, 0.75, 0.05, 0.05];
  if (key === `${y},${z}`) return [0.0125, 0.0125, 0.0125, 0.95, 0.0125];
  if (key === `${y},${z},${w}`) return [0.0125, 0.0125, 0.0125, 0.0125, 0.95];
  return [0.3, 0.25, 0.2, 0.15, 0.1];
}

function runScripted(opts: BeamOptions): BeamState {
  let st = initialBeamState();
  while (!st.done) {
    const rows = st.running.map((b) => Float64Array.from(scripted(b.tokens).map(Math.log)));
    st = beamStep(st, rows, opts).state;
  }
  return st;
}

describe('beamStep on a scripted model', () => {
  const opts: BeamOptions = { beamWidth: 2, lengthPenalty: 1, earlyStopping: 'false', eosTokenId: E, maxNewTokens: 4 };

  it('2 beams, α=1, early stopping false, max 4: "y z w E" then "x E"', () => {
    const st = runScripted(opts);
    expect(st.finished.map((h) => h.tokens)).toEqual([[y, z, w, E], [x, E]]);
    expect(st.finished[0].beamScore).toBeCloseTo(-1.3066 / 4, 4);
    expect(st.finished[1].beamScore).toBeCloseTo(-0.821 / 2, 4);
  });

  it('stopping at the first finished hypothesis would give the wrong answer', () => {
    const st = runScripted({ ...opts, earlyStopping: 'true', beamWidth: 2 });
    // with early stopping true it still waits for 2 finished hypotheses
    expect(st.finished.length).toBe(2);
  });

  it('the first step proposes distinct tokens from the single prefix', () => {
    const r = beamStep(initialBeamState(), [Float64Array.from(scripted([]).map(Math.log))], opts);
    expect(r.state.running.map((b) => b.tokens[0])).toEqual([x, y]);
    expect(r.candidates.map((c) => c.tokenId)).toEqual([x, y, z, w]);
    expect(r.candidates.map((c) => c.state)).toEqual(['kept', 'kept', 'pruned', 'pruned']);
  });

  it('an EOS candidate outside the top k is not finished', () => {
    let st = initialBeamState();
    st = beamStep(st, [Float64Array.from(scripted([]).map(Math.log))], opts).state;
    const r = beamStep(st, st.running.map((b) => Float64Array.from(scripted(b.tokens).map(Math.log))), opts);
    const eos = r.candidates.filter((c) => c.tokenId === E);
    expect(eos[0].rank).toBe(0);
    expect(eos[0].state).toBe('finished');
    expect(r.parents).toEqual([1, 1]);
  });

  it('a stop token (end of turn) finishes hypotheses exactly like EOS', () => {
    const st = runScripted({ ...opts, eosTokenId: null, stopTokenIds: [E] });
    expect(st.finished.map((h) => h.tokens)).toEqual([[y, z, w, E], [x, E]]);
    expect(st.finished[1].beamScore).toBeCloseTo(-0.821 / 2, 4);
  });

  it('beam width 1 equals greedy', () => {
    const st = runScripted({ ...opts, beamWidth: 1 });
    // greedy: x (0.55) then E (0.8)
    expect(st.finished[0].tokens).toEqual([x, E]);
  });
});
