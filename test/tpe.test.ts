/** TPE sampler, median and successive-halving pruners, search-space parsing: expected values are reasoned by hand. */
import { describe, expect, it } from 'vitest';
import {
  MedianPruner,
  parseSpace,
  SuccessiveHalvingPruner,
  TpeSampler,
  type Params,
  type SearchSpace,
  type TrialRecord,
} from '../models/tpe.ts';
import { Rng } from '../src/rng.ts';

const quad: SearchSpace = { x: { type: 'float', low: -1, high: 1 }, y: { type: 'float', low: -1, high: 1 } };
const f = (p: Params) => ((p.x as number) - 0.3) ** 2 + ((p.y as number) + 0.2) ** 2;

/** Sequential study: each trial sees all earlier ones as complete. */
function run(s: TpeSampler, n: number, obj: (p: Params) => number): TrialRecord[] {
  const h: TrialRecord[] = [];
  for (let i = 0; i < n; i++) {
    const params = s.suggest(i, h);
    h.push({ number: i, params, state: 'complete', value: obj(params) });
  }
  return h;
}
const complete = (number: number, params: Params, value: number): TrialRecord => ({ number, params, state: 'complete', value });

describe('TpeSampler: determinism and bounds', () => {
  it('same seed gives the same sequence, a different seed a different one', () => {
    const a = run(new TpeSampler(quad, { seed: 7 }), 30, f).map((t) => t.params);
    const b = run(new TpeSampler(quad, { seed: 7 }), 30, f).map((t) => t.params);
    const c = run(new TpeSampler(quad, { seed: 8 }), 30, f).map((t) => t.params);
    expect(b).toEqual(a);
    expect(c[0]).not.toEqual(a[0]); // startup draws differ
    expect(c[25]).not.toEqual(a[25]); // model draws differ
  });

  it('does not depend on call order, sampler instance or the order of the history', () => {
    const h = run(new TpeSampler(quad, { seed: 3 }), 25, f);
    const s1 = new TpeSampler(quad, { seed: 3 });
    const first = s1.suggest(25, h);
    s1.suggest(40, h);
    s1.suggest(3, []);
    expect(s1.suggest(25, h)).toEqual(first);
    expect(new TpeSampler(quad, { seed: 3 }).suggest(25, [...h].reverse())).toEqual(first);
    expect(new TpeSampler(quad, { seed: 3 }).suggest(26, h)).not.toEqual(first);
  });

  it('keeps every suggestion in bounds, ints integral, steps on the grid, categoricals from the choices', () => {
    const space: SearchSpace = {
      f: { type: 'float', low: -2, high: 3 },
      fl: { type: 'float', low: 1e-4, high: 1, log: true },
      fs: { type: 'float', low: 0.1, high: 0.95, step: 0.05 },
      i: { type: 'int', low: -3, high: 7 },
      il: { type: 'int', low: 1, high: 512, log: true },
      is: { type: 'int', low: 10, high: 100, step: 15 },
      c: { type: 'categorical', choices: ['x', 2, true] },
    };
    // an objective that pulls towards the edges, so the truncation at the bounds is exercised
    const obj = (p: Params) => -(p.f as number) - Math.log(p.fl as number) + (p.fs as number) + (p.i as number) - (p.il as number) / 100 + (p.is as number) / 100 + (p.c === 2 ? 0 : 1);
    for (const seed of [1, 2, 3]) {
      for (const { params: p } of run(new TpeSampler(space, { seed, nStartupTrials: 5 }), 80, obj)) {
        expect(Object.keys(p).sort()).toEqual(Object.keys(space).sort());
        const fv = p.f as number, fl = p.fl as number, fs = p.fs as number, iv = p.i as number, il = p.il as number, is = p.is as number;
        expect(fv >= -2 && fv <= 3).toBe(true);
        expect(fl >= 1e-4 && fl <= 1).toBe(true);
        expect(fs >= 0.1 && fs <= 0.95).toBe(true);
        expect(Math.abs((fs - 0.1) / 0.05 - Math.round((fs - 0.1) / 0.05))).toBeLessThan(1e-9);
        expect(Number(fs.toFixed(2))).toBe(fs); // 0.15, not 0.15000000000000002
        expect(Number.isInteger(iv) && iv >= -3 && iv <= 7).toBe(true);
        expect(Number.isInteger(il) && il >= 1 && il <= 512).toBe(true);
        expect([10, 25, 40, 55, 70, 85, 100]).toContain(is);
        expect(['x', 2, true]).toContain(p.c);
      }
    }
  });

  it('ignores history values outside the current space (e.g. after narrowing it)', () => {
    const space: SearchSpace = { l: { type: 'float', low: 0.01, high: 1, log: true }, c: { type: 'categorical', choices: ['a', 'b'] } };
    const h = Array.from({ length: 12 }, (_, i) => complete(i, i % 3 ? { l: 0.1 * (i % 3), c: 'a' } : { l: i ? -1 : 0, c: 'zz' }, i));
    // the same trials with the out-of-space values simply missing
    const h2 = h.map((t) => (t.number % 3 ? t : { ...t, params: {} }));
    for (let i = 12; i < 20; i++) {
      const p = new TpeSampler(space, { seed: 2 }).suggest(i, h);
      expect((p.l as number) >= 0.01 && (p.l as number) <= 1).toBe(true);
      expect(['a', 'b']).toContain(p.c);
      expect(p).toEqual(new TpeSampler(space, { seed: 2 }).suggest(i, h2));
    }
  });

  it('rejects invalid specs', () => {
    expect(() => new TpeSampler({ x: { type: 'float', low: 1, high: 0 } })).toThrow(/"x"/);
    expect(() => new TpeSampler({ x: { type: 'float', low: 0, high: 1, log: true } })).toThrow(/low > 0/);
    expect(() => new TpeSampler({ x: { type: 'int', low: 0.5, high: 3 } })).toThrow(/integer/);
    expect(() => new TpeSampler({ x: { type: 'categorical', choices: [] } })).toThrow(/no choices/);
  });
});

describe('TpeSampler: startup trials', () => {
  it('are uniform (log-uniform for log params) and independent of the history', () => {
    const s = new TpeSampler(
      { u: { type: 'float', low: 0, high: 1 }, l: { type: 'float', low: 1e-3, high: 10, log: true }, k: { type: 'int', low: 1, high: 4 } },
      { seed: 11, nStartupTrials: 1e9 },
    );
    const N = 4000;
    let su = 0, sl = 0, belowGeoMid = 0;
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < N; i++) {
      const p = s.suggest(i, []);
      su += p.u as number;
      sl += Math.log(p.l as number);
      if ((p.l as number) < 0.1) belowGeoMid++;
      counts[(p.k as number) - 1]++;
    }
    // U(0,1): sd 0.289, SE over 4000 draws 0.0046
    expect(Math.abs(su / N - 0.5)).toBeLessThan(0.02);
    // ln l ~ U(ln 1e-3, ln 10): mean ln(0.1) = -2.303, sd 9.21/√12 = 2.66, SE 0.042
    expect(Math.abs(sl / N - Math.log(0.1))).toBeLessThan(0.15);
    // half the mass below the geometric midpoint 0.1 (a plain uniform draw would put 1% there)
    expect(Math.abs(belowGeoMid / N - 0.5)).toBeLessThan(0.03);
    for (const c of counts) expect(Math.abs(c / N - 0.25)).toBeLessThan(0.03);
  });

  it('last until nStartupTrials finished trials (pruned ones count, running and failed do not)', () => {
    const s = new TpeSampler(quad, { seed: 5, nStartupTrials: 10 });
    const a = Array.from({ length: 9 }, (_, i) => complete(i, { x: 0.3, y: -0.2 }, i));
    const b = Array.from({ length: 9 }, (_, i) => complete(i, { x: -0.9 + 0.2 * i, y: 0.9 }, 9 - i));
    // 9 finished trials: still random, so the history's contents do not matter
    expect(s.suggest(9, a)).toEqual(s.suggest(9, b));
    expect(s.suggest(9, a)).toEqual(s.suggest(9, []));
    const running: TrialRecord = { number: 20, params: { x: 0, y: 0 }, state: 'running' };
    const failed: TrialRecord = { number: 21, params: { x: 0, y: 0 }, state: 'failed' };
    expect(s.suggest(9, [...a, running, failed])).toEqual(s.suggest(9, []));
    // a 10th finished trial switches to the model, which depends on the history
    const tenth = complete(9, { x: 0.5, y: 0.5 }, 100);
    expect(s.suggest(10, [...a, tenth])).not.toEqual(s.suggest(10, [...b, tenth]));
    const pruned: TrialRecord = { number: 9, params: { x: 0.5, y: 0.5 }, state: 'pruned', intermediate: { 1: 5 } };
    expect(s.suggest(10, [...a, pruned])).not.toEqual(s.suggest(10, []));
    // running/failed trials never inform the model
    expect(s.suggest(10, [...a, tenth, running, failed])).toEqual(s.suggest(10, [...a, tenth]));
  });
});

describe('TpeSampler: model', () => {
  it('samples near the best trial and away from the rest', () => {
    // 10 trials, γ(10) = 1: below = {x = 0.8}; above = x in [-0.8, 0]
    const h = [complete(0, { x: 0.8 }, 0), ...Array.from({ length: 9 }, (_, i) => complete(i + 1, { x: -0.8 + 0.1 * i }, 1 + i))];
    const s = new TpeSampler({ x: { type: 'float', low: -1, high: 1 } }, { seed: 1 });
    const xs = Array.from({ length: 40 }, (_, i) => s.suggest(10 + i, h).x as number);
    for (const x of xs) expect(x).toBeGreaterThan(0.4);
    expect(xs.reduce((a, b) => a + b, 0) / xs.length).toBeGreaterThan(0.75);
  });

  it('beats random search on (x − 0.3)² + (y + 0.2)² over [−1, 1]², 60 trials, 10 seeds', () => {
    const tpe: number[] = [], rnd: number[] = [];
    let wins = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const best = Math.min(...run(new TpeSampler(quad, { seed }), 60, f).map((t) => t.value!));
      const r = new Rng(seed);
      let rb = Infinity;
      for (let i = 0; i < 60; i++) rb = Math.min(rb, f({ x: -1 + 2 * r.next(), y: -1 + 2 * r.next() }));
      tpe.push(best);
      rnd.push(rb);
      if (best < rb) wins++;
    }
    const median = (a: number[]) => { const s = [...a].sort((p, q) => p - q); return (s[4] + s[5]) / 2; };
    // random search with 60 points: E[min] ≈ area/(π·60) ≈ 4/188 ≈ 0.02; TPE should be several times lower
    expect(median(tpe)).toBeLessThan(0.4 * median(rnd));
    expect(wins).toBeGreaterThanOrEqual(8);
  });

  it('maximising −f gives exactly the trials of minimising f', () => {
    const a = run(new TpeSampler(quad, { seed: 4 }), 30, f).map((t) => t.params);
    const b = run(new TpeSampler(quad, { seed: 4, direction: 'maximize' }), 30, (p) => -f(p)).map((t) => t.params);
    expect(b).toEqual(a);
  });

  it("picks the best category 'b' most of the time after startup", () => {
    const space: SearchSpace = { c: { type: 'categorical', choices: ['a', 'b', 'c', 'd'] } };
    let b = 0, n = 0;
    for (let seed = 1; seed <= 5; seed++) {
      const h = run(new TpeSampler(space, { seed }), 60, (p) => (p.c === 'b' ? 0 : 1));
      const picks = h.slice(10).map((t) => t.params.c);
      const share = picks.filter((c) => c === 'b').length / picks.length;
      expect(share).toBeGreaterThan(0.5); // uniform would be 0.25
      b += share * picks.length;
      n += picks.length;
    }
    expect(b / n).toBeGreaterThan(0.6);
  });

  it("always picks 'b' when the only below trial chose it and no above trial did", () => {
    // l(b) = ½·(1.5/3) + ½·¼ = 0.375, g(b) = 0.9·(0.1/1.4) + 0.1·¼ ≈ 0.089: 'b' scores ln 4.2 > 0, the others < 0,
    // and 'b' is among 24 draws from l unless all miss: 0.625^24 ≈ 1e-5
    const choices = ['a', 'b', 'c', 'd'];
    const h = [complete(0, { c: 'b' }, 0), ...Array.from({ length: 9 }, (_, i) => complete(i + 1, { c: ['a', 'c', 'd'][i % 3] }, 1))];
    const s = new TpeSampler({ c: { type: 'categorical', choices } }, { seed: 9 });
    for (let i = 10; i < 40; i++) expect(s.suggest(i, h).c).toBe('b');
  });
});

describe('MedianPruner', () => {
  const at3 = (number: number, v: number, state: TrialRecord['state'] = 'complete'): TrialRecord => ({ number, params: {}, state, value: v, intermediate: { 1: 10, 3: v } });
  const five = [1, 2, 3, 4, 5].map((v, i) => at3(i, v));
  const trial = (v: number, extra: Record<number, number> = {}): TrialRecord => ({ number: 99, params: {}, state: 'running', intermediate: { 3: v, ...extra } });

  it('prunes a trial worse than the median of the others at the same step', () => {
    const p = new MedianPruner();
    expect(p.shouldPrune(trial(4.5), 3, five)).toBe(true);
    expect(p.shouldPrune(trial(2.5), 3, five)).toBe(false);
    expect(p.shouldPrune(trial(3), 3, five)).toBe(false); // equal to the median: kept
    expect(p.shouldPrune(trial(3.01), 3, five)).toBe(true);
    expect(p.shouldPrune(trial(NaN), 3, five)).toBe(true);
    expect(p.shouldPrune(trial(4.5), 4, five)).toBe(false); // nothing reported at step 4
  });

  it('waits for nStartupTrials finished trials and nWarmupSteps', () => {
    expect(new MedianPruner().shouldPrune(trial(4.5), 3, five.slice(0, 4))).toBe(false);
    expect(new MedianPruner({ nStartupTrials: 4 }).shouldPrune(trial(4.5), 3, five.slice(0, 4))).toBe(true);
    // running trials are not finished, and a running trial's value does not count towards the median
    expect(new MedianPruner().shouldPrune(trial(4.5), 3, [...five.slice(0, 4), at3(7, 0, 'running')])).toBe(false);
    expect(new MedianPruner({ nWarmupSteps: 4 }).shouldPrune(trial(4.5), 3, five)).toBe(false);
    expect(new MedianPruner({ nWarmupSteps: 3 }).shouldPrune(trial(4.5), 3, five)).toBe(true);
  });

  it('counts pruned trials, ignores trials without that step, and averages the middle pair', () => {
    // 1, 2, 3, 4 at step 3 (the 4 from a pruned trial) → median 2.5; another finished trial stopped at step 1
    const h = [at3(0, 1), at3(1, 2), at3(2, 3), at3(3, 4, 'pruned'), { number: 4, params: {}, state: 'pruned' as const, intermediate: { 1: 100 } }];
    const p = new MedianPruner();
    expect(p.shouldPrune(trial(2.6), 3, h)).toBe(true);
    expect(p.shouldPrune(trial(2.5), 3, h)).toBe(false);
  });

  it('flips for maximisation', () => {
    const p = new MedianPruner({ direction: 'maximize' });
    expect(p.shouldPrune(trial(4.5), 3, five)).toBe(false);
    expect(p.shouldPrune(trial(2.5), 3, five)).toBe(true);
  });
});

describe('SuccessiveHalvingPruner', () => {
  const t = (number: number, intermediate: Record<number, number>, state: TrialRecord['state'] = 'running'): TrialRecord => ({ number, params: {}, state, intermediate });

  it('puts rungs at minResource · η^(k + minEarlyStoppingRate)', () => {
    const p = new SuccessiveHalvingPruner();
    expect([0, 1, 2, 3].map((k) => p.rungStep(k))).toEqual([1, 3, 9, 27]);
    const q = new SuccessiveHalvingPruner({ minResource: 2, reductionFactor: 4, minEarlyStoppingRate: 1 });
    expect([0, 1].map((k) => q.rungStep(k))).toEqual([8, 32]);
  });

  // 8 trials reached rung 1 with 0.1 … 0.8; the best three went on to rung 3 with 0.05, 0.15, 0.25
  const hist = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8].map((v, i) =>
    i < 3 ? t(i, { 1: v, 2: v, 3: v - 0.05 }, 'complete') : t(i, { 1: v }, 'pruned'));

  it('keeps a trial at rung 1 only within the top ⌊9/3⌋ = 3 of 9 values', () => {
    const p = new SuccessiveHalvingPruner();
    expect(p.shouldPrune(t(50, { 1: 0.25 }), 1, hist)).toBe(false); // 0.1, 0.2, 0.25 | …
    expect(p.shouldPrune(t(50, { 1: 0.3 }), 1, hist)).toBe(false); // ties the 3rd best
    expect(p.shouldPrune(t(50, { 1: 0.35 }), 1, hist)).toBe(true); // 0.1, 0.2, 0.3 | 0.35
    expect(p.shouldPrune(t(50, { 0: 0.01 }), 0, hist)).toBe(false); // step 0: before the first rung
    expect(p.shouldPrune(t(50, { 1: 0.2, 2: 99 }), 2, hist)).toBe(false); // step 2 is no rung
  });

  it('at rung 3 with 4 values keeps only the best (⌊4/3⌋ = 1)', () => {
    const p = new SuccessiveHalvingPruner();
    expect(p.shouldPrune(t(50, { 1: 0.1, 2: 0.1, 3: 0.04 }), 3, hist)).toBe(false);
    expect(p.shouldPrune(t(50, { 1: 0.1, 2: 0.1, 3: 0.06 }), 3, hist)).toBe(true);
    // with 6 values at rung 3 the 2nd best survives
    const more = [...hist, t(10, { 1: 0.01, 3: 0.3 }), t(11, { 1: 0.01, 3: 0.4 })];
    expect(p.shouldPrune(t(50, { 1: 0.1, 3: 0.14 }), 3, more)).toBe(false); // 0.05, 0.14 | 0.15 …
    expect(p.shouldPrune(t(50, { 1: 0.1, 3: 0.16 }), 3, more)).toBe(true);
    // once past rung 3, later non-rung steps never prune, however bad the value
    expect(p.shouldPrune(t(50, { 1: 0.1, 3: 0.04, 4: 99 }), 4, hist)).toBe(false);
    // rung 9: one other trial there with 0.5; 0.6 is worse than the best of 2 (n < η: only the best is kept)
    const nine = [...hist, t(12, { 1: 0.01, 3: 0.01, 9: 0.5 })];
    expect(p.shouldPrune(t(50, { 1: 0.1, 3: 0.04, 9: 0.6 }), 9, nine)).toBe(true);
    expect(p.shouldPrune(t(50, { 1: 0.1, 3: 0.04, 9: 0.4 }), 9, nine)).toBe(false);
  });

  it('judges a sparse reporter at its first report past each rung', () => {
    const p = new SuccessiveHalvingPruner();
    // steps 2 and 4: step 2 is its first report ≥ 1 (rung 1), step 4 its first ≥ 3 (rung 3)
    expect(p.shouldPrune(t(50, { 2: 0.35 }), 2, hist)).toBe(true);
    expect(p.shouldPrune(t(50, { 2: 0.15, 4: 0.06 }), 4, hist)).toBe(true);
    expect(p.shouldPrune(t(50, { 2: 0.15, 4: 0.01 }), 4, hist)).toBe(false);
    // as a competitor, a sparse trial's rung-3 value is the one at its step 4
    expect(p.shouldPrune(t(50, { 1: 0.1, 3: 0.04 }), 3, [...hist, t(13, { 2: 0.1, 4: 0.01 })])).toBe(true);
  });

  it('flips for maximisation', () => {
    const p = new SuccessiveHalvingPruner({ direction: 'maximize' });
    // top 3 of 0.1 … 0.8 plus ours: 0.8, 0.7, 0.6
    expect(p.shouldPrune(t(50, { 1: 0.65 }), 1, hist)).toBe(false);
    expect(p.shouldPrune(t(50, { 1: 0.55 }), 1, hist)).toBe(true);
  });
});

describe('parseSpace', () => {
  it('parses ints, floats, log, steps and categoricals', () => {
    expect(parseSpace('num_leaves=int:8:128:log,learning_rate=float:0.01:0.3:log,feature_fraction=float:0.5:1,growth=cat:leafwise|depthwise')).toEqual({
      num_leaves: { type: 'int', low: 8, high: 128, log: true },
      learning_rate: { type: 'float', low: 0.01, high: 0.3, log: true },
      feature_fraction: { type: 'float', low: 0.5, high: 1 },
      growth: { type: 'categorical', choices: ['leafwise', 'depthwise'] },
    });
    expect(parseSpace(' bag = float:0.5:1:step=0.1 , k=int:-2:10:step=3, b=cat:1|2.5|true|x ')).toEqual({
      bag: { type: 'float', low: 0.5, high: 1, step: 0.1 },
      k: { type: 'int', low: -2, high: 10, step: 3 },
      b: { type: 'categorical', choices: [1, 2.5, true, 'x'] },
    });
  });

  it.each([
    ['num_leaves=int:8', /"num_leaves=int:8".*low:high/],
    ['x=foo:1:2', /"x=foo:1:2".*unknown type "foo"/],
    ['x=float:a:2', /"x=float:a:2".*"a" is not a number/],
    ['x=float:2:1', /"x=float:2:1".*low <= high/],
    ['x=float:0:1:log', /"x=float:0:1:log".*low > 0/],
    ['x=float:0:1:lg', /"x=float:0:1:lg".*unknown option "lg"/],
    ['x=int:1:10:step=0.5', /"x=int:1:10:step=0.5".*integers/],
    ['x=float:1:10:log:step=1', /cannot have a step/],
    ['x=cat:', /"x=cat:".*non-empty choices/],
    ['x=cat:a|a', /duplicate choices/],
    ['=int:1:2', /"=int:1:2".*name=type/],
    ['lr', /"lr".*name=type/],
    ['a=int:1:2,a=int:1:3', /"a=int:1:3".*duplicate parameter "a"/],
    ['', /empty search space/],
  ])('rejects %j', (text, msg) => {
    expect(() => parseSpace(text)).toThrow(msg);
  });

  it('feeds the sampler', () => {
    const s = new TpeSampler(parseSpace('n=int:8:128:log,g=cat:a|b'), { seed: 1 });
    const p = s.suggest(0, []);
    expect(Number.isInteger(p.n) && (p.n as number) >= 8 && (p.n as number) <= 128).toBe(true);
    expect(['a', 'b']).toContain(p.g);
  });
});
