/** Order statistics on typed arrays (validation's robust statistics, metrics' quantiles). */

/**
 * Reorder a[lo..hi] (inclusive) so that a[k] holds the value it would hold if sorted, with a[lo..k−1] ≤ a[k] ≤
 * a[k+1..hi], and return it (Hoare quickselect, median-of-three pivot; falls back to sorting the remaining range if
 * the partitions degenerate, so the worst case stays O(n log n)).
 */
export function select(a: Float64Array, lo: number, hi: number, k: number): number {
  let guard = 4 * Math.ceil(Math.log2(hi - lo + 2)) + 16;
  while (hi > lo) {
    if (--guard < 0) {
      a.subarray(lo, hi + 1).sort();
      return a[k];
    }
    const mid = (lo + hi) >>> 1;
    const x = a[lo];
    const y = a[mid];
    const z = a[hi];
    // median of the three
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}
