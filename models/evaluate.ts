/**
 * Classification scores for binary models: AUC (the probability that a random positive scores above a random
 * negative, ties counting one half: the Mann–Whitney U over n₁·n₀), accuracy and precision/recall at a threshold
 * (0.5), and mean log-loss (probabilities clipped to [1e-15, 1 − 1e-15], as scikit-learn).
 */

/** AUC by ranks: (Σ ranks of the positives − n₁(n₁ + 1)/2) / (n₁ n₀), tied scores sharing their mean rank. NaN if one class is absent. */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let n1 = 0;
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[idx[j + 1]] === scores[idx[i]]) j++;
    const mean = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (labels[idx[k]] === 1) {
      n1++;
      rankSum += mean;
    }
    i = j + 1;
  }
  const n0 = n - n1;
  return n1 && n0 ? (rankSum - (n1 * (n1 + 1)) / 2) / (n1 * n0) : NaN;
}

export function logLoss(p: ArrayLike<number>, labels: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const q = Math.min(1 - 1e-15, Math.max(1e-15, p[i]));
    s -= labels[i] === 1 ? Math.log(q) : Math.log(1 - q);
  }
  return p.length ? s / p.length : NaN;
}

export function classification(p: ArrayLike<number>, labels: ArrayLike<number>, threshold = 0.5): { accuracy: number; precision: number; recall: number } {
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  for (let i = 0; i < p.length; i++) {
    const yhat = p[i] >= threshold ? 1 : 0;
    if (yhat === 1 && labels[i] === 1) tp++;
    else if (yhat === 1) fp++;
    else if (labels[i] === 1) fn++;
    else tn++;
  }
  const n = tp + fp + tn + fn;
  return { accuracy: n ? (tp + tn) / n : NaN, precision: tp + fp ? tp / (tp + fp) : NaN, recall: tp + fn ? tp / (tp + fn) : NaN };
}
