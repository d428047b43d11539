/**
 * `models list | show ID | export ID --out FILE | delete ID | import FILE --features names.json`: the workspace's
 * model registry (models/registry.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { ModelRecord } from '../models/registry.ts';
import { DataError, UsageError } from '../src/errors.ts';
import { table } from './format.ts';
import { defineCommand, type CommandContext } from './registry.ts';

async function registry(ctx: CommandContext) {
  const { ModelRegistry } = await import('../models/registry.ts');
  const ws = ctx.workspace();
  return new ModelRegistry(ws.db, ws.path('models'), ws.dir);
}

const scoreText = (m: ModelRecord) => {
  const s = (m.meta.scores ?? {}) as Record<string, number>;
  return ['auc', 'accuracy', 'logloss'].filter((k) => typeof s[k] === 'number').map((k) => `${k} ${s[k].toFixed(3)}`).join(' ');
};

export const modelsList = defineCommand({
  name: 'models list',
  summary: 'the models in the workspace registry, newest first',
  args: () => z.object({}),
  async run(ctx) {
    return { models: (await registry(ctx)).list() };
  },
  render: (r: { models: ModelRecord[] }) =>
    r.models.length === 0
      ? 'no models yet: alphatrade train … stores one; alphatrade models import FILE.onnx --features names.json registers one trained elsewhere'
      : table(
          ['id', 'name', 'kind', 'task', 'features', 'created', 'scores'],
          r.models.map((m) => [m.id, m.name, m.kind, m.task, m.features.length, m.created_at.slice(0, 16).replace('T', ' '), scoreText(m)]),
        ),
});

export const modelsShow = defineCommand({
  name: 'models show',
  summary: 'one model: features, label, training range, data hashes, parameters, scores, importance',
  args: () => z.object({ id: z.number().int().positive().describe('model id (models list)') }),
  positional: ['id'],
  async run(ctx, a) {
    return (await registry(ctx)).get(a.id);
  },
  render: (m: ModelRecord) =>
    [
      `model ${m.id} · ${m.name} · ${m.kind} (${m.task}) · ${m.created_at} · version ${m.version}`,
      `artifact ${m.artifact} (SHA-256 ${m.sha256.slice(0, 16)}…)`,
      `features (${m.features.length}): ${m.features.slice(0, 30).join(', ')}${m.features.length > 30 ? ', …' : ''}`,
      ...Object.entries(m.meta).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`.slice(0, 400)),
    ].join('\n'),
});

export const modelsExport = defineCommand({
  name: 'models export',
  summary: 'write a model’s ONNX file (checked against its stored SHA-256)',
  args: () => z.object({ id: z.number().int().positive().describe('model id'), out: z.string().describe('output .onnx file') }),
  positional: ['id'],
  async run(ctx, a) {
    const b = (await registry(ctx)).bytes(a.id);
    const file = path.resolve(ctx.cwd, a.out);
    fs.writeFileSync(file, b);
    return { id: a.id, file, bytes: b.length };
  },
  render: (r: { id: number; file: string; bytes: number }) => `model ${r.id} → ${r.file} (${r.bytes.toLocaleString('en-US')} bytes)`,
});

export const modelsDelete = defineCommand({
  name: 'models delete',
  summary: 'remove a model and its file from the registry',
  args: () => z.object({ id: z.number().int().positive().describe('model id') }),
  positional: ['id'],
  async run(ctx, a) {
    (await registry(ctx)).delete(a.id);
    return { deleted: a.id };
  },
  render: (r: { deleted: number }) => `deleted model ${r.deleted}`,
});

export const modelsImport = defineCommand({
  name: 'models import',
  summary: 'register an ONNX model trained elsewhere (LightGBM, XGBoost, PyTorch …) with its feature names',
  description:
    'The model takes one float input of shape [N, F]; --features is a JSON list of the F feature names in input order (names as alphatrade features list prints them, so the model can be fed by our pipeline). A binary classifier should output "probabilities" ([N, 2]: the class-1 probability is read); anything else is treated as a regressor.',
  args: () => z.object({
    file: z.string().describe('the .onnx file'),
    features: z.string().describe('JSON file: ["rsi_14", "sma_20", …] in input order'),
    name: z.string().optional().describe('a name (default: the file name)'),
    task: z.enum(['binary', 'regression']).optional().describe('override the task read from the outputs'),
  }),
  positional: ['file'],
  async run(ctx, a) {
    const file = path.resolve(ctx.cwd, a.file);
    if (!fs.existsSync(file)) throw new UsageError(`no such file: ${file}`);
    const ff = path.resolve(ctx.cwd, a.features);
    let names: unknown;
    try {
      names = JSON.parse(fs.readFileSync(ff, 'utf8'));
    } catch (e) {
      throw new DataError(`--features must be a JSON list of names: ${(e as Error).message}`, { file: ff });
    }
    if (!Array.isArray(names) || names.length === 0 || !names.every((x) => typeof x === 'string')) throw new DataError('--features must be a non-empty JSON list of feature names', { file: ff });
    const bytes = fs.readFileSync(file);
    const { inspectOnnx } = await import('../models/registry.ts');
    const info = await inspectOnnx(bytes).catch((e) => {
      throw new DataError((e as Error).message, { file });
    });
    if (info.nFeatures !== null && info.nFeatures !== names.length) throw new DataError(`the model takes ${info.nFeatures} features but --features lists ${names.length}`, { file: ff });
    const reg = await registry(ctx);
    return reg.save({ name: a.name ?? path.basename(file, '.onnx'), kind: 'onnx', task: a.task ?? info.task, features: names as string[], meta: { source: file, inputs: info.inputs, outputs: info.outputs }, onnx: bytes });
  },
  render: (m: ModelRecord) => `registered model ${m.id} (${m.name}, ${m.task}, ${m.features.length} features)`,
});

export const MODEL_COMMANDS = [modelsList, modelsShow, modelsExport, modelsDelete, modelsImport];
