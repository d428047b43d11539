/** The histogram tree learner: binning, the learner and its ONNX export (see learner.ts). */
export { binRows, chooseEdges, edgesOf, type BinEdges, type BinnedMatrix } from './binning.ts';
export { binForTraining, defaultParams, prepareTraining, fitTrees, MODEL_KINDS, predictRaw, predictTrees, treeModelToOnnx, type TreeKind, type TreeModel, type TreeParams } from './learner.ts';
