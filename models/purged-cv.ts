/**
 * Cross-validation for labels that look ahead (López de Prado, "Advances in Financial Machine Learning", ch. 7):
 *
 * - purged k-fold: the samples, in time order, are cut into k contiguous test folds; a sample trains only if its label
 *   window [t_i, end_i] does not overlap the test fold's span [t_first, end_max] of that fold (purging), and it is not
 *   among the `embargo` samples right after the fold (embargo: serial correlation leaks forward);
 * - walk-forward: k + 1 contiguous blocks; fold j tests on block j + 1 and trains on every earlier sample whose label
 *   ends before the test block starts (expanding window).
 *
 * Samples are given by their start and label-end times (or indices), sorted by start. Index sets are Int32Array.
 */

export interface CvFold {
  train: Int32Array;
  test: Int32Array;
}

/** k purged folds with an embargo of ⌈embargo × n⌉ samples after each test fold. */
export function purgedKFold(start: ArrayLike<number>, end: ArrayLike<number>, k: number, embargo = 0.01): CvFold[] {
  const n = start.length;
  if (!(Number.isInteger(k) && k >= 2 && k <= n)) throw new RangeError(`purged k-fold: k must be 2 … ${n}, got ${k}`);
  for (let i = 1; i < n; i++) if (start[i] < start[i - 1]) throw new RangeError('purged k-fold: samples must be sorted by start time');
  const gap = Math.ceil(Math.max(0, embargo) * n);
  const folds: CvFold[] = [];
  for (let f = 0; f < k; f++) {
    const a = Math.floor((f * n) / k);
    const b = Math.floor(((f + 1) * n) / k); // test = [a, b)
    const t0 = start[a];
    let t1 = -Infinity;
    for (let i = a; i < b; i++) if (end[i] > t1) t1 = end[i];
    const train: number[] = [];
    for (let i = 0; i < n; i++) {
      if (i >= a && i < b) continue;
      if (i >= b && i < b + gap) continue; // embargo after the test fold
      // purge: the label window [start_i, end_i] overlaps the test span [t0, t1]
      if (start[i] <= t1 && end[i] >= t0) continue;
      train.push(i);
    }
    folds.push({ train: Int32Array.from(train), test: Int32Array.from({ length: b - a }, (_, j) => a + j) });
  }
  return folds;
}

/** k walk-forward folds: test block j + 1 of k + 1, training on earlier samples whose labels end before it. */
export function walkForwardFolds(start: ArrayLike<number>, end: ArrayLike<number>, k: number): CvFold[] {
  const n = start.length;
  if (!(Number.isInteger(k) && k >= 1 && k < n)) throw new RangeError(`walk-forward CV: k must be 1 … ${n - 1}, got ${k}`);
  const folds: CvFold[] = [];
  for (let f = 1; f <= k; f++) {
    const a = Math.floor((f * n) / (k + 1));
    const b = Math.floor(((f + 1) * n) / (k + 1));
    const train: number[] = [];
    for (let i = 0; i < a; i++) if (end[i] < start[a]) train.push(i);
    folds.push({ train: Int32Array.from(train), test: Int32Array.from({ length: b - a }, (_, j) => a + j) });
  }
  return folds;
}
