/**
 * A hyperparameter-search trial (piscina task, or called directly with one thread): fits trees on the study's shared
 * binned matrices, reporting the validation loss of every round to the pruner, which judges it against the study's
 * history as it was when the trial started. The trial's value is its best validation loss (the round early stopping
 * would keep).
 */
import { fitTrees, type TreeParams } from './trees/learner.ts';
import type { BinnedMatrix } from './trees/binning.ts';
import { MedianPruner, SuccessiveHalvingPruner, type Pruner, type TrialRecord } from './tpe.ts';

export interface TrialTask {
  kind: string;
  params: TreeParams;
  X: BinnedMatrix;
  y: Float64Array;
  V: BinnedMatrix;
  vy: Float64Array;
  pruner: 'median' | 'halving' | 'none';
  history: TrialRecord[];
  number: number;
}

export interface TrialResult {
  state: 'complete' | 'pruned';
  value: number | null;
  intermediate?: Record<number, number>;
}

function prunerOf(kind: TrialTask['pruner']): Pruner | null {
  // the same settings as makePruner in search.ts (kept here so the worker does not load the search module)
  if (kind === 'median') return new MedianPruner({ nStartupTrials: 5, nWarmupSteps: 10 });
  if (kind === 'halving') return new SuccessiveHalvingPruner({ minResource: 10, reductionFactor: 3 });
  return null;
}

export default function runTrial(t: TrialTask): TrialResult {
  const pruner = prunerOf(t.pruner);
  const intermediate: Record<number, number> = {};
  const me: TrialRecord = { number: t.number, params: {}, state: 'running', intermediate };
  let pruned = false;
  const m = fitTrees(t.X, t.y, { ...t.params, threads: 1 }, {
    valid: { X: t.V, y: t.vy },
    onRound: (r) => {
      if (r.valid === null) return;
      intermediate[r.round] = r.valid;
      if (pruner && pruner.shouldPrune(me, r.round, t.history)) pruned = true;
    },
    shouldStop: () => pruned,
  });
  const v = m.history.valid;
  const value = v.length ? Math.min(...v) : null;
  return { state: pruned ? 'pruned' : 'complete', value, intermediate };
}
