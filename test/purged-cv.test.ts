/** Purged k-fold with embargo and walk-forward folds: no training label window overlaps its test fold, by construction and checked on every fold. */
import { describe, expect, it } from 'vitest';
import { purgedKFold, walkForwardFolds } from '../models/purged-cv.ts';

describe('purged k-fold', () => {
  // 100 daily samples, each label looking 5 samples ahead
  const n = 100;
  const start = Float64Array.from({ length: n }, (_, i) => i);
  const end = Float64Array.from({ length: n }, (_, i) => i + 5);

  it('tests every sample once; no training label window touches its test fold; the embargo follows each fold', () => {
    const folds = purgedKFold(start, end, 5, 0.03);
    const seen = new Int32Array(n);
    for (const f of folds) {
      for (const i of f.test) seen[i]++;
      const t0 = start[f.test[0]];
      const t1 = Math.max(...Array.from(f.test, (i) => end[i]));
      for (const i of f.train) {
        expect(end[i] < t0 || start[i] > t1).toBe(true);
        // embargo: the 3 samples after the fold's last one are not trained on
        const last = f.test[f.test.length - 1];
        expect(i > last && i <= last + 3).toBe(false);
      }
    }
    expect(Array.from(seen)).toEqual(new Array(n).fill(1));
    // worked out by hand for the middle fold (test 40–59, span [40, 64]): train = 0–34 (label ends ≤ 39) and 65–99
    // minus the overlap (60–64 start inside the span) and the embargo (60–62): 35 + 35 = 70 samples
    const mid = folds[2];
    expect(Array.from(mid.test)).toEqual(Array.from({ length: 20 }, (_, j) => 40 + j));
    expect(Array.from(mid.train)).toEqual([...Array.from({ length: 35 }, (_, j) => j), ...Array.from({ length: 35 }, (_, j) => 65 + j)]);
  });

  it('walk-forward folds train only on samples whose label ends before the test block', () => {
    const folds = walkForwardFolds(start, end, 4); // blocks of 20: tests 20–39, 40–59, 60–79, 80–99
    expect(folds.map((f) => f.test[0])).toEqual([20, 40, 60, 80]);
    for (const f of folds) for (const i of f.train) expect(end[i]).toBeLessThan(start[f.test[0]]);
    // the first fold trains on 0–14 (label ends 5–19 < 20)
    expect(Array.from(folds[0].train)).toEqual(Array.from({ length: 15 }, (_, j) => j));
    expect(() => purgedKFold(start, end, 1)).toThrow(/k must be/);
  });
});
