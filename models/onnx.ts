/**
 * Tree ensembles to ONNX (ai.onnx.ml TreeEnsembleClassifier / TreeEnsembleRegressor, opset ai.onnx.ml 3 with ai.onnx
 * 15), written with onnx-proto (the ONNX protobuf schema compiled by protobufjs), so models trained here are served by
 * onnxruntime-node in backtests and trading, and any ONNX tool can read them.
 *
 * The ensemble is given as flat per-tree arrays (see `OnnxTree`): node k is a leaf (value `leaf[k]`) or a split on
 * `feature[k]`: x ≤ `threshold[k]` goes to `left[k]` (ONNX's BRANCH_LEQ "true" branch), otherwise to `right[k]`; a
 * missing value (NaN) goes left when `missingLeft[k]` is 1 (`nodes_missing_value_tracks_true`). ONNX stores thresholds
 * and leaf values as 32-bit floats and runtimes compare float32 inputs, so a predictor that must agree with
 * onnxruntime compares Math.fround(x) ≤ Math.fround(threshold) (`predictTreesF32` below does).
 *
 * Binary classifiers: `post_transform` LOGISTIC on the summed margin (base score + leaves); the graph's outputs are
 * `label` (int64) and `probabilities` ([N, 2]: 1 − p, p). Read the class-1 probability (column 1), not `label`, which
 * thresholds at 0.5. Regressors output `variable` ([N, 1]).
 */
import { createRequire } from 'node:module';

// onnx-proto is CommonJS (protobufjs static code): loaded through require
const require = createRequire(import.meta.url);
type OnnxNs = typeof import('onnx-proto').onnx;

let cached: OnnxNs | undefined;
/** The ONNX protobuf schema (onnx-proto), loaded on first use. */
export function onnxProto(): OnnxNs {
  return (cached ??= (require('onnx-proto') as typeof import('onnx-proto')).onnx);
}

export interface OnnxTree {
  /** per node: 1 = leaf */
  isLeaf: Uint8Array;
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  /** per node: 1 = a missing value goes left */
  missingLeft: Uint8Array;
  /** per node: the leaf's value (already scaled by the learning rate) */
  leaf: Float64Array;
}

export interface OnnxEnsemble {
  kind: 'binary' | 'regression';
  nFeatures: number;
  trees: OnnxTree[];
  /** added to the sum of the leaves (the initial score: log-odds for binary) */
  baseScore: number;
  /** for the model's metadata */
  featureNames?: string[];
  /** ONNX model doc string */
  doc?: string;
  /**
   * Binary: the leaves sum to a margin turned into a probability by the logistic function (boosting, the default), or
   * already to the probability (forests: each leaf holds its label mean over the number of trees; post_transform NONE)
   */
  output?: 'margin' | 'probability';
}

/** The ONNX bytes of a tree ensemble. */
export function ensembleToOnnx(m: OnnxEnsemble): Uint8Array {
  const onnx = onnxProto();
  const A = onnx.AttributeProto.AttributeType;
  const ids = { tree: [] as number[], node: [] as number[], feat: [] as number[], val: [] as number[], mode: [] as string[], t: [] as number[], f: [] as number[], miss: [] as number[] };
  const leaves = { tree: [] as number[], node: [] as number[], w: [] as number[] };
  m.trees.forEach((tr, ti) => {
    const n = tr.isLeaf.length;
    for (let k = 0; k < n; k++) {
      ids.tree.push(ti);
      ids.node.push(k);
      if (tr.isLeaf[k]) {
        ids.feat.push(0);
        ids.val.push(0);
        ids.mode.push('LEAF');
        ids.t.push(0);
        ids.f.push(0);
        ids.miss.push(0);
        leaves.tree.push(ti);
        leaves.node.push(k);
        leaves.w.push(tr.leaf[k]);
      } else {
        ids.feat.push(tr.feature[k]);
        ids.val.push(tr.threshold[k]);
        ids.mode.push('BRANCH_LEQ');
        ids.t.push(tr.left[k]);
        ids.f.push(tr.right[k]);
        ids.miss.push(tr.missingLeft[k] ? 1 : 0);
      }
    }
  });
  const ints = (name: string, v: number[]) => ({ name, type: A.INTS, ints: v });
  const floats = (name: string, v: number[]) => ({ name, type: A.FLOATS, floats: v });
  const str = (name: string, v: string) => ({ name, type: A.STRING, s: new TextEncoder().encode(v) });
  const strs = (name: string, v: string[]) => ({ name, type: A.STRINGS, strings: v.map((x) => new TextEncoder().encode(x)) });
  const common = [
    ints('nodes_treeids', ids.tree),
    ints('nodes_nodeids', ids.node),
    ints('nodes_featureids', ids.feat),
    floats('nodes_values', ids.val),
    strs('nodes_modes', ids.mode),
    ints('nodes_truenodeids', ids.t),
    ints('nodes_falsenodeids', ids.f),
    ints('nodes_missing_value_tracks_true', ids.miss),
  ];
  const binary = m.kind === 'binary';
  const node = binary
    ? {
        opType: 'TreeEnsembleClassifier',
        domain: 'ai.onnx.ml',
        input: ['input'],
        output: ['label', 'probabilities'],
        attribute: [
          ...common,
          ints('class_treeids', leaves.tree),
          ints('class_nodeids', leaves.node),
          ints('class_ids', leaves.tree.map(() => 0)),
          floats('class_weights', leaves.w),
          ints('classlabels_int64s', [0, 1]),
          floats('base_values', [m.baseScore]),
          str('post_transform', m.output === 'probability' ? 'NONE' : 'LOGISTIC'),
        ],
      }
    : {
        opType: 'TreeEnsembleRegressor',
        domain: 'ai.onnx.ml',
        input: ['input'],
        output: ['variable'],
        attribute: [...common, ints('target_treeids', leaves.tree), ints('target_nodeids', leaves.node), ints('target_ids', leaves.tree.map(() => 0)), floats('target_weights', leaves.w), floats('base_values', [m.baseScore]), { name: 'n_targets', type: A.INT, i: 1 }, str('post_transform', 'NONE')],
      };
  const T = onnx.TensorProto.DataType;
  const dim = (d: number | string) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d });
  const tensor = (name: string, elem: number, shape: (number | string)[]) => ({ name, type: { tensorType: { elemType: elem, shape: { dim: shape.map(dim) } } } });
  const graph = {
    name: 'alphatrade_trees',
    node: [node],
    input: [tensor('input', T.FLOAT, ['N', m.nFeatures])],
    output: binary ? [tensor('label', T.INT64, ['N']), tensor('probabilities', T.FLOAT, ['N', 2])] : [tensor('variable', T.FLOAT, ['N', 1])],
  };
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'alphatrade',
    producerVersion: '0.1',
    docString: m.doc ?? '',
    opsetImport: [
      { domain: '', version: 15 },
      { domain: 'ai.onnx.ml', version: 3 },
    ],
    graph: graph as never,
    metadataProps: m.featureNames ? [{ key: 'feature_names', value: JSON.stringify(m.featureNames) }] : [],
  });
  return onnx.ModelProto.encode(model).finish();
}

/**
 * Margins of row-major float rows (nFeatures per row) through the trees as ONNX sees them: inputs, thresholds and
 * leaves in float32, x ≤ threshold left, NaN by `missingLeft`. For checking a model against onnxruntime.
 */
export function predictTreesF32(m: OnnxEnsemble, rows: Float32Array): Float64Array {
  const n = rows.length / m.nFeatures;
  const out = new Float64Array(n).fill(Math.fround(m.baseScore));
  for (const tr of m.trees) {
    for (let r = 0; r < n; r++) {
      let k = 0;
      while (!tr.isLeaf[k]) {
        const x = rows[r * m.nFeatures + tr.feature[k]];
        k = x !== x ? (tr.missingLeft[k] ? tr.left[k] : tr.right[k]) : x <= Math.fround(tr.threshold[k]) ? tr.left[k] : tr.right[k];
      }
      out[r] += Math.fround(tr.leaf[k]);
    }
  }
  return out;
}

export const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));
