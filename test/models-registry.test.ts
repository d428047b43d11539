/** The model registry and `models` commands: import an ONNX file with its features, list, show, export, delete. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensembleToOnnx, type OnnxTree } from '../models/onnx.ts';
import { cli } from './helpers/cli.ts';
import { tmpDir } from './helpers/tmp.ts';

const stump: OnnxTree = {
  isLeaf: Uint8Array.of(0, 1, 1),
  feature: Int32Array.of(1, 0, 0),
  threshold: Float64Array.of(0.5, 0, 0),
  left: Int32Array.of(1, 0, 0),
  right: Int32Array.of(2, 0, 0),
  missingLeft: Uint8Array.of(1, 0, 0),
  leaf: Float64Array.of(0, -1, 1),
};

describe('models import | list | show | export | delete', () => {
  it('registers an ONNX classifier trained elsewhere and gives back the same bytes', async () => {
    const ws = tmpDir('at-models-');
    const dir = tmpDir('at-models-in-');
    const onnx = path.join(dir, 'm.onnx');
    const bytes = ensembleToOnnx({ kind: 'binary', nFeatures: 3, baseScore: 0, trees: [stump] });
    fs.writeFileSync(onnx, bytes);
    const names = path.join(dir, 'f.json');
    fs.writeFileSync(names, JSON.stringify(['rsi_14', 'sma_20', 'atr_14']));
    const imp = await cli(['--workspace', ws, 'models', 'import', onnx, '--features', names, '--name', 'outside', '--json']);
    expect(imp.code, imp.stderr).toBe(0);
    const m = imp.json();
    expect(m).toMatchObject({ id: 1, name: 'outside', kind: 'onnx', task: 'binary', features: ['rsi_14', 'sma_20', 'atr_14'] });
    expect((await cli(['--workspace', ws, 'models', 'list', '--json'])).json().models.map((x: { id: number }) => x.id)).toEqual([1]);
    expect((await cli(['--workspace', ws, 'models', 'show', '1'])).stdout).toMatch(/features \(3\): rsi_14, sma_20, atr_14/);
    const out = path.join(dir, 'back.onnx');
    expect((await cli(['--workspace', ws, 'models', 'export', '1', '--out', out])).code).toBe(0);
    expect(Buffer.compare(fs.readFileSync(out), Buffer.from(bytes))).toBe(0);
    // a changed file is refused
    fs.appendFileSync(path.join(ws, 'models', '1.onnx'), 'x');
    expect((await cli(['--workspace', ws, 'models', 'export', '1', '--out', out])).stderr).toMatch(/has changed since it was stored/);
    expect((await cli(['--workspace', ws, 'models', 'delete', '1'])).code).toBe(0);
    expect(fs.existsSync(path.join(ws, 'models', '1.onnx'))).toBe(false);
    expect((await cli(['--workspace', ws, 'models', 'show', '1'])).code).toBe(1);
  });

  it('a feature list that does not match the model’s input, or a file that is not ONNX, is refused', async () => {
    const ws = tmpDir('at-models-');
    const dir = tmpDir('at-models-in-');
    const onnx = path.join(dir, 'm.onnx');
    fs.writeFileSync(onnx, ensembleToOnnx({ kind: 'binary', nFeatures: 3, baseScore: 0, trees: [stump] }));
    const names = path.join(dir, 'f.json');
    fs.writeFileSync(names, JSON.stringify(['a', 'b']));
    const bad = await cli(['--workspace', ws, 'models', 'import', onnx, '--features', names]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/takes 3 features but --features lists 2/);
    const junk = path.join(dir, 'junk.onnx');
    fs.writeFileSync(junk, 'not a model');
    fs.writeFileSync(names, JSON.stringify(['a', 'b', 'c']));
    expect((await cli(['--workspace', ws, 'models', 'import', junk, '--features', names])).stderr).toMatch(/onnxruntime cannot load it/);
  });
});
