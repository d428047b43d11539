import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { forwardReturn, direction, tripleBarrier, type Label } from '../data/features/labels.ts';

const N = NaN;

function expectValues(got: ArrayLike<number>, want: number[], tol = 1e-12): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (Number.isNaN(want[i])) expect(got[i], `index ${i}`).toBeNaN();
    else expect(Math.abs(got[i] - want[i]), `index ${i}: got ${got[i]}, want ${want[i]}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(want[i])));
  }
}

const f64 = (x: number[]) => Float64Array.from(x);

describe('forwardReturn', () => {
  it('hand-computed: ln(c_{t+h}/c_t), NaN at the end and around a missing close', () => {
    const c = f64([100, 110, 99, N, 120]);
    // h = 1: ln(110/100) = ln 1.1, ln(99/110) = ln 0.9, NaN (c3 missing), NaN (c3 missing), NaN (last bar)
    const a = forwardReturn(c, 1);
    expect(a.name).toBe('fwd_ret_1');
    expect(a.horizon).toBe(1);
    expectValues(a.values, [Math.log(1.1), Math.log(0.9), N, N, N]);
    expect(Array.from(a.end)).toEqual([1, 2, -1, -1, -1]);
    // h = 2: ln(99/100) = ln 0.99; NaN (c3); ln(120/99); the last two bars have no t+2
    const b = forwardReturn(c, 2);
    expect(b.name).toBe('fwd_ret_2');
    expectValues(b.values, [Math.log(0.99), N, Math.log(120 / 99), N, N]);
    expect(Array.from(b.end)).toEqual([2, -1, 4, -1, -1]);
  });

  it('rejects bad horizons; short series give all NaN', () => {
    expect(() => forwardReturn(f64([1, 2]), 0)).toThrow(RangeError);
    expect(() => forwardReturn(f64([1, 2]), 1.5)).toThrow(RangeError);
    const s = forwardReturn(f64([1, 2]), 5);
    expectValues(s.values, [N, N]);
    expect(Array.from(s.end)).toEqual([-1, -1]);
  });
});

describe('direction', () => {
  it('hand-computed with a dead zone', () => {
    // h = 1, deadZone 0.05: ln(110/100) = 0.0953 > 0.05 → +1; ln(99/110) = -0.1054 < -0.05 → -1;
    // ln(100/99) = 0.01005, inside ±0.05 → 0; ln(100/100) = 0 → 0; last bar NaN
    const d = direction(f64([100, 110, 99, 100, 100]), 1, 0.05);
    expect(d.name).toBe('dir_1_0.05');
    expect(d.horizon).toBe(1);
    expectValues(d.values, [1, -1, 0, 0, N]);
    expect(Array.from(d.end)).toEqual([1, 2, 3, 4, -1]);
    // deadZone 0: only an exactly flat return is 0
    expectValues(direction(f64([100, 110, 110, 99]), 1, 0).values, [1, 0, -1, N]);
    // h = 2: ln(99/100) = -0.01005 → 0 with deadZone 0.005 → -1
    expectValues(direction(f64([100, 110, 99]), 2, 0.005).values, [-1, N, N]);
    expect(() => direction(f64([1, 2]), 1, -0.1)).toThrow(RangeError);
  });
});

describe('tripleBarrier', () => {
  // 10 bars. Closes alternate 100, 102, so the 1-bar log returns alternate ±ln 1.02 = ±0.0198026 and, with
  // volWindow 2, σ_t = |r_t - r_{t-1}|/√2 = 2·0.0198026/√2 = √2·ln 1.02 = 0.0280051 for every t ≥ 2 (NaN at 0, 1).
  // pt = sl = 1 → barriers:
  //   close 100: upper 100·(1 + 0.0280051) = 102.8005, lower 100·(1 - 0.0280051) = 97.1995
  //   close 102: upper 102·1.0280051 = 104.8565, lower 102·0.9719949 = 99.1435
  // horizon 3: bars t = 0..6 have t+1..t+3 inside the series; 7, 8, 9 are NaN.
  //   t = 2 (c 100): bar 3 high 102.5 < 102.80, low 101 > 97.2; bar 4 high 103 ≥ 102.80 → +1, end 4
  //   t = 3 (c 102): bar 4 high 103 < 104.86, low 99.5 > 99.14; bar 5 high 105 ≥ 104.86 AND low 99 ≤ 99.14:
  //                  both barriers on the same bar → -1 (conservative), end 5
  //   t = 4 (c 100): bar 5 high 105 ≥ 102.80, low 99 > 97.2 → +1, end 5
  //   t = 5 (c 102): bars 6, 7, 8: highs 102.5, 102.5, 101 < 104.86; lows 99.5, 101, 99.5 > 99.14 → vertical: 0, end 8
  //   t = 6 (c 100): bars 7, 8 no touch (highs 102.5, 101 < 102.80; lows 101, 99.5 > 97.2); bar 9 low 97 ≤ 97.2 → -1, end 9
  const close = [100, 102, 100, 102, 100, 102, 100, 102, 100, 102];
  const high = [100.5, 102.5, 100.5, 102.5, 103, 105, 102.5, 102.5, 101, 102.5];
  const low = [99.5, 101.5, 99.5, 101, 99.5, 99, 99.5, 101, 99.5, 97];
  const bars = { high: f64(high), low: f64(low), close: f64(close) };

  it('hand-computed 10-bar example (profit-take, same-bar double touch, vertical barrier, stop-loss)', () => {
    const tb = tripleBarrier(bars, { pt: 1, sl: 1, horizon: 3, volWindow: 2 });
    expect(tb.name).toBe('tb_1_1_3');
    expect(tb.horizon).toBe(3);
    expectValues(tb.values, [N, N, 1, -1, 1, 0, -1, N, N, N]);
    expect(Array.from(tb.end)).toEqual([-1, -1, 4, 5, 5, 8, 9, -1, -1, -1]);
  });

  it('pt = 0 or sl = 0 disables that barrier', () => {
    // no upper barrier: t = 2 runs to its vertical barrier (bar 5 low 99 > 97.2) → 0, end 5; t = 3 now only the lower
    // barrier at bar 5 → -1; t = 4: bars 5..7 lows 99, 99.5, 101 > 97.2 → 0, end 7
    const a = tripleBarrier(bars, { pt: 0, sl: 1, horizon: 3, volWindow: 2 });
    expect(a.name).toBe('tb_0_1_3');
    expectValues(a.values, [N, N, 0, -1, 0, 0, -1, N, N, N]);
    expect(Array.from(a.end)).toEqual([-1, -1, 5, 5, 7, 8, 9, -1, -1, -1]);
    // no lower barrier: t = 3 → +1 at bar 5; t = 6 → vertical 0 at bar 9
    const b = tripleBarrier(bars, { pt: 1, sl: 0, horizon: 3, volWindow: 2 });
    expectValues(b.values, [N, N, 1, 1, 1, 0, 0, N, N, N]);
    expect(Array.from(b.end)).toEqual([-1, -1, 4, 5, 5, 8, 9, -1, -1, -1]);
  });

  it('wider barriers (pt = 2) and a missing bar on the path', () => {
    // pt 2: upper for close 100 = 100·(1 + 2·0.0280051) = 105.6010; for 102: 107.7130. Nothing reaches them;
    // lower barriers unchanged: t = 3 → -1 at 5, t = 6 → -1 at 9, others vertical
    const a = tripleBarrier(bars, { pt: 2, sl: 1, horizon: 3, volWindow: 2 });
    expect(a.name).toBe('tb_2_1_3');
    expectValues(a.values, [N, N, 0, -1, 0, 0, -1, N, N, N]);
    // high of bar 4 missing: t = 2, 3 (which scan bar 4 before deciding) become NaN; t = 4 starts after it
    const holed = { high: f64(high), low: f64(low), close: f64(close) };
    holed.high[4] = NaN;
    const b = tripleBarrier(holed, { pt: 1, sl: 1, horizon: 3, volWindow: 2 });
    expectValues(b.values, [N, N, N, N, 1, 0, -1, N, N, N]);
    expect(Array.from(b.end)).toEqual([-1, -1, -1, -1, 5, 8, 9, -1, -1, -1]);
  });

  it('rejects bad options', () => {
    expect(() => tripleBarrier(bars, { pt: -1, sl: 1, horizon: 3, volWindow: 2 })).toThrow(RangeError);
    expect(() => tripleBarrier(bars, { pt: 1, sl: 1, horizon: 0, volWindow: 2 })).toThrow(RangeError);
    expect(() => tripleBarrier(bars, { pt: 1, sl: 1, horizon: 3, volWindow: 1 })).toThrow(RangeError);
    expect(() => tripleBarrier({ high: f64([1]), low: f64([1, 2]), close: f64([1, 2]) }, { pt: 1, sl: 1, horizon: 1, volWindow: 2 })).toThrow(RangeError);
  });
});

// ------------------------------------------------------------------ properties

interface Path {
  close: Float64Array;
  high: Float64Array;
  low: Float64Array;
}

const pathArb: fc.Arbitrary<Path> = fc
  .array(fc.record({ r: fc.double({ min: -0.05, max: 0.05, noNaN: true }), up: fc.double({ min: 0, max: 0.04, noNaN: true }), dn: fc.double({ min: 0, max: 0.04, noNaN: true }) }), {
    maxLength: 120,
    size: 'max',
  })
  .map((xs) => {
    const n = xs.length;
    const p: Path = { close: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n) };
    let c = 100;
    for (let i = 0; i < n; i++) {
      const o = c;
      c = c * Math.exp(xs[i].r);
      p.close[i] = c;
      p.high[i] = Math.max(o, c) * (1 + xs[i].up);
      p.low[i] = Math.min(o, c) * (1 - xs[i].dn);
    }
    return p;
  });

function checkEnds(l: Label): void {
  for (let t = 0; t < l.values.length; t++) {
    if (Number.isNaN(l.values[t])) expect(l.end[t]).toBe(-1);
    else {
      expect(l.end[t]).toBeGreaterThan(t);
      expect(l.end[t]).toBeLessThanOrEqual(t + l.horizon);
    }
  }
}

/**
 * Brute-force triple barrier straight from the definition, for clean paths. null where a high or low scanned before the
 * decision lies within 1e-9 (relative) of its barrier: σ from a differently-rounded std can flip such a touch (e.g. on a
 * flat path where σ is rounding noise and high = low = close).
 */
function refTb(p: Path, pt: number, sl: number, h: number, w: number): (number | null)[] {
  const n = p.close.length;
  const r = Array.from(p.close, (c, i) => (i === 0 ? NaN : Math.log(c / p.close[i - 1])));
  const out = new Array<number | null>(n).fill(NaN);
  const near = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.abs(b);
  for (let t = w; t + h < n; t++) {
    const win = r.slice(t - w + 1, t + 1);
    const m = win.reduce((a, b) => a + b, 0) / w;
    const s = Math.sqrt(win.reduce((a, b) => a + (b - m) ** 2, 0) / (w - 1));
    const up = p.close[t] * (1 + pt * s);
    const dn = p.close[t] * (1 - sl * s);
    let lab: number | null = 0;
    for (let j = t + 1; j <= t + h; j++) {
      if ((sl > 0 && near(p.low[j], dn)) || (pt > 0 && near(p.high[j], up))) {
        lab = null;
        break;
      }
      const hitDn = sl > 0 && p.low[j] <= dn;
      const hitUp = pt > 0 && p.high[j] >= up;
      if (hitDn) {
        lab = -1;
        break;
      }
      if (hitUp) {
        lab = 1;
        break;
      }
    }
    out[t] = lab;
  }
  return out;
}

describe('label properties', () => {
  it('end[t] is within (t, t+horizon] for every label, -1 where NaN; values in {-1, 0, 1} for the classifiers', () => {
    fc.assert(
      fc.property(pathArb, fc.integer({ min: 1, max: 10 }), fc.integer({ min: 2, max: 15 }), fc.constantFrom(0, 0.5, 1, 2), fc.constantFrom(0, 0.5, 1, 2), (p, h, w, pt, sl) => {
        const labels = [forwardReturn(p.close, h), direction(p.close, h, 0.01), tripleBarrier(p, { pt, sl, horizon: h, volWindow: w })];
        for (const l of labels) {
          expect(l.values.length).toBe(p.close.length);
          checkEnds(l);
          // the last `horizon` bars never have a label
          for (let t = Math.max(0, p.close.length - h); t < p.close.length; t++) expect(l.values[t]).toBeNaN();
        }
        for (const l of labels.slice(1)) for (const v of l.values) if (v === v) expect([-1, 0, 1]).toContain(v);
      }),
      { numRuns: 200 },
    );
  });

  it('labels only look ahead `horizon` bars: truncating the series at k keeps every label that ends before k', () => {
    fc.assert(
      fc.property(pathArb, fc.integer({ min: 1, max: 8 }), fc.integer({ min: 2, max: 10 }), fc.nat(), (p, h, w, kk) => {
        const n = p.close.length;
        const k = n === 0 ? 0 : kk % (n + 1);
        const cut: Path = { close: p.close.slice(0, k), high: p.high.slice(0, k), low: p.low.slice(0, k) };
        const pairs: [Label, Label][] = [
          [forwardReturn(p.close, h), forwardReturn(cut.close, h)],
          [direction(p.close, h, 0.005), direction(cut.close, h, 0.005)],
          [tripleBarrier(p, { pt: 1, sl: 1, horizon: h, volWindow: w }), tripleBarrier(cut, { pt: 1, sl: 1, horizon: h, volWindow: w })],
        ];
        for (const [full, part] of pairs) {
          for (let t = 0; t + h < k; t++) {
            expect(Object.is(part.values[t], full.values[t]) || (Number.isNaN(part.values[t]) && Number.isNaN(full.values[t]))).toBe(true);
            expect(part.end[t]).toBe(full.end[t]);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('tripleBarrier matches a brute-force reference', () => {
    fc.assert(
      fc.property(pathArb, fc.integer({ min: 1, max: 10 }), fc.integer({ min: 2, max: 12 }), fc.constantFrom(0, 0.5, 1, 3), fc.constantFrom(0, 0.5, 1, 3), (p, h, w, pt, sl) => {
        const got = tripleBarrier(p, { pt, sl, horizon: h, volWindow: w }).values;
        const want = refTb(p, pt, sl, h, w);
        for (let t = 0; t < want.length; t++) {
          const v = want[t];
          if (v === null) continue;
          if (Number.isNaN(v)) expect(got[t]).toBeNaN();
          else expect(got[t]).toBe(v);
        }
      }),
      { numRuns: 300 },
    );
  });
});
