/**
 * One way to fit any model family on column-major features (in SharedArrayBuffers, binning uses every thread): `fitModel` takes the rows to train on (and optionally
 * rows to validate on, for early stopping and pruning), hyperparameters by their snake_case names (the CLI flags'
 * and the search space's names), and returns a model that predicts class-1 probabilities and exports itself to ONNX.
 * `train`, cross-validation, `--compare-models` and the hyperparameter-search trials all go through it.
 */
import { fitLogReg, logRegToOnnx, predictLogReg } from './logreg.ts';
import { auc } from './evaluate.ts';
import { binRows, prepareTraining } from './trees/index.ts';
import { defaultParams, fitTrees, MODEL_KINDS, predictTrees, treeModelToOnnx, type RoundInfo, type TreeKind, type TreeModel, type TreeParams } from './trees/learner.ts';
import { Rng } from '../src/rng.ts';

export const ALL_MODELS = ['logreg', ...MODEL_KINDS] as const;
export type ModelKind = (typeof ALL_MODELS)[number];
export const isModelKind = (s: string): s is ModelKind => (ALL_MODELS as readonly string[]).includes(s);

/** Hyperparameters by name: tree parameters (snake_case of TreeParams), max_bin, and lambda for logreg. */
export type HyperParams = Record<string, number | string | boolean>;

const TREE_KEYS: Record<string, keyof TreeParams> = {
  rounds: 'rounds',
  learning_rate: 'learningRate',
  num_leaves: 'numLeaves',
  max_depth: 'maxDepth',
  min_data_in_leaf: 'minDataInLeaf',
  min_sum_hessian: 'minSumHessian',
  min_gain: 'minGain',
  lambda_l1: 'lambdaL1',
  lambda_l2: 'lambdaL2',
  feature_fraction: 'featureFraction',
  feature_fraction_bynode: 'featureFractionByNode',
  bagging_fraction: 'baggingFraction',
  early_stopping_rounds: 'earlyStoppingRounds',
  seed: 'seed',
};
export const HYPERPARAM_NAMES = [...Object.keys(TREE_KEYS), 'max_bin', 'lambda'];

/** TreeParams of a family with overrides by name; unknown names are an error (a typo must not be ignored). */
export function treeParams(kind: TreeKind, hp: HyperParams, threads = 1): TreeParams {
  const p = { ...defaultParams(kind), threads };
  for (const [k, v] of Object.entries(hp)) {
    if (k === 'max_bin' || k === 'lambda') continue;
    const key = TREE_KEYS[k];
    if (!key) throw new Error(`unknown hyperparameter '${k}' (known: ${HYPERPARAM_NAMES.join(', ')})`);
    (p as unknown as Record<string, unknown>)[key] = Number(v);
  }
  return p;
}

export interface FitRequest {
  kind: ModelKind;
  /** all rows, column-major (NaN = missing) */
  cols: Float64Array[];
  /** labels of all rows (0/1) */
  y: ArrayLike<number>;
  train: Int32Array;
  /** rows for early stopping and per-round validation loss */
  valid?: Int32Array;
  hp?: HyperParams;
  threads?: number;
  onRound?: (r: RoundInfo) => void;
  shouldStop?: () => boolean;
}

export interface FittedModel {
  kind: ModelKind;
  /** class-1 probabilities of rows (default: all) of column-major features */
  predict(cols: ArrayLike<number>[], rows?: Int32Array): Float64Array;
  onnx(featureNames: string[]): Promise<Uint8Array>;
  /** the parameters used (for the registry) */
  params: Record<string, unknown>;
  /** per feature: split counts and total gain (trees) or standardised weights (logreg) */
  importance: { split?: Float64Array; gain?: Float64Array; weight?: Float64Array };
  history?: { train: number[]; valid: number[] };
  bestIteration?: number;
  seconds: number;
  tree?: TreeModel;
}

export async function fitModel(r: FitRequest): Promise<FittedModel> {
  const hp = r.hp ?? {};
  const t0 = performance.now();
  if (r.kind === 'logreg') {
    for (const k of Object.keys(hp)) if (k !== 'lambda') throw new Error(`logreg takes only 'lambda', not '${k}'`);
    const lambda = Number(hp.lambda ?? 1e-3);
    const m = fitLogReg(r.cols, r.y, { lambda, rows: r.train });
    return {
      kind: 'logreg',
      predict: (cols, rows) => predictLogReg(m, cols, rows),
      onnx: async () => logRegToOnnx(m),
      params: { lambda, iterations: m.iterations },
      importance: { weight: m.w },
      seconds: (performance.now() - t0) / 1000,
    };
  }
  const p = treeParams(r.kind, hp, r.threads ?? 1);
  const maxBin = Number(hp.max_bin ?? 255);
  const X = await prepareTraining(r.cols, r.train, p, { maxBin, seed: p.seed });
  const e = { edges: X.edges, nBins: X.nBins };
  const ytr = Float64Array.from(r.train, (i) => r.y[i]);
  const valid = r.valid && r.valid.length ? { X: binRows(r.cols, r.valid, e), y: Float64Array.from(r.valid, (i) => r.y[i]) } : undefined;
  const m = fitTrees(X, ytr, p, { valid, onRound: r.onRound, shouldStop: r.shouldStop });
  const { threads: _t, kernel: _k, ...shown } = p;
  return {
    kind: r.kind,
    predict: (cols, rows) => predictTrees(m, cols, rows),
    onnx: (names) => treeModelToOnnx(m, names),
    params: { ...shown, max_bin: maxBin, best_iteration: m.bestIteration, trees: m.trees.length },
    importance: { split: m.importance.split, gain: m.importance.gain },
    history: m.history,
    bestIteration: m.bestIteration,
    seconds: (performance.now() - t0) / 1000,
    tree: m,
  };
}

/**
 * Permutation importance (Breiman; scikit-learn's permutation_importance with AUC as the score): for each feature,
 * the out-of-sample AUC minus the AUC after shuffling that feature's values among the test rows (seeded), averaged
 * over `repeats` shuffles. Positive: the model relies on the feature out of sample.
 */
export function permutationImportance(m: FittedModel, cols: Float64Array[], y: ArrayLike<number>, test: Int32Array, features: number[], repeats = 3, seed = 7): Map<number, number> {
  const yt = Array.from(test, (r) => y[r]);
  const base = auc(m.predict(cols, test), yt);
  const rng = new Rng(seed);
  const out = new Map<number, number>();
  for (const f of features) {
    const orig = cols[f];
    const shuffled = orig.slice();
    let drop = 0;
    for (let k = 0; k < repeats; k++) {
      const vals = Array.from(test, (r) => orig[r]);
      for (let i = vals.length - 1; i > 0; i--) {
        const j = Math.floor(rng.next() * (i + 1));
        const t = vals[i];
        vals[i] = vals[j];
        vals[j] = t;
      }
      test.forEach((r, i) => (shuffled[r] = vals[i]));
      const c2 = cols.slice();
      c2[f] = shuffled;
      drop += base - auc(m.predict(c2, test), yt);
    }
    out.set(f, drop / repeats);
  }
  return out;
}
