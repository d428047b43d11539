/**
 * The model registry: every model is an ONNX file in the workspace's models/ folder (named by its id) plus a catalog
 * row (table `models`, migration 3) with what it needs to be used and trusted: its feature names in input order, its
 * task (binary classifier: read the class-1 probability; regressor), and free JSON metadata — label definition,
 * training range, data hashes, parameters, CV scores, feature importance. Models trained elsewhere (LightGBM,
 * PyTorch, …) are registered from their ONNX file and a feature-name list and are then used like ours.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DB } from '../src/catalog.ts';
import { DataError, NotFoundError, UsageError } from '../src/errors.ts';
import { VERSION } from '../src/version.ts';

export interface ModelRecord {
  id: number;
  name: string;
  /** gbdt, gbdt_depthwise, random_forest, logreg, …, or `onnx` for an imported file */
  kind: string;
  task: 'binary' | 'regression';
  created_at: string;
  features: string[];
  meta: Record<string, unknown>;
  /** the ONNX file, relative to the workspace */
  artifact: string;
  sha256: string;
  version: string;
}

interface Row extends Omit<ModelRecord, 'features' | 'meta'> {
  features: string;
  meta: string;
}

export class ModelRegistry {
  constructor(
    private readonly db: DB,
    private readonly dir: string,
    private readonly wsDir: string,
  ) {}

  /** Store a model: the ONNX bytes go to models/<id>.onnx, written before the row is committed. */
  save(m: { name: string; kind: string; task: ModelRecord['task']; features: string[]; meta: Record<string, unknown>; onnx: Uint8Array }): ModelRecord {
    if (m.features.length === 0) throw new UsageError('a model needs at least one feature');
    const sha = crypto.createHash('sha256').update(m.onnx).digest('hex');
    fs.mkdirSync(this.dir, { recursive: true });
    const tx = this.db.transaction(() => {
      const info = this.db
        .prepare('INSERT INTO models (name, kind, task, created_at, features, meta, artifact, sha256, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(m.name, m.kind, m.task, new Date().toISOString(), JSON.stringify(m.features), JSON.stringify(m.meta), '', sha, VERSION);
      const id = Number(info.lastInsertRowid);
      const file = path.join(this.dir, `${id}.onnx`);
      const tmp = `${file}.tmp`;
      fs.writeFileSync(tmp, m.onnx);
      fs.renameSync(tmp, file);
      const rel = path.relative(this.wsDir, file);
      this.db.prepare('UPDATE models SET artifact = ? WHERE id = ?').run(rel, id);
      return id;
    });
    return this.get(tx());
  }

  list(): ModelRecord[] {
    return (this.db.prepare('SELECT * FROM models ORDER BY id DESC').all() as Row[]).map(decode);
  }

  get(id: number): ModelRecord {
    const row = this.db.prepare('SELECT * FROM models WHERE id = ?').get(id) as Row | undefined;
    if (!row) throw new NotFoundError(`no model ${id} (alphatrade models list)`);
    return decode(row);
  }

  /** The model's ONNX bytes, checked against the hash recorded when it was stored. */
  bytes(id: number): Uint8Array {
    const r = this.get(id);
    const file = path.join(this.wsDir, r.artifact);
    let b: Buffer;
    try {
      b = fs.readFileSync(file);
    } catch {
      throw new DataError(`model ${id}'s file is missing`, { file });
    }
    if (crypto.createHash('sha256').update(b).digest('hex') !== r.sha256) throw new DataError(`model ${id}'s file has changed since it was stored (SHA-256 differs)`, { file });
    return b;
  }

  delete(id: number): boolean {
    const r = this.get(id);
    const ok = this.db.prepare('DELETE FROM models WHERE id = ?').run(id).changes > 0;
    fs.rmSync(path.join(this.wsDir, r.artifact), { force: true });
    return ok;
  }
}

function decode(r: Row): ModelRecord {
  return { ...r, features: JSON.parse(r.features), meta: JSON.parse(r.meta) };
}

/**
 * What onnxruntime sees in an ONNX file: input and output names, and — for a single float input of shape [N, F] — F.
 * Used to check an imported model against its feature list.
 */
export async function inspectOnnx(bytes: Uint8Array): Promise<{ inputs: string[]; outputs: string[]; nFeatures: number | null; task: ModelRecord['task'] }> {
  const ort = await import('onnxruntime-node');
  let s: Awaited<ReturnType<typeof ort.InferenceSession.create>>;
  try {
    s = await ort.InferenceSession.create(bytes);
  } catch (e) {
    throw new DataError(`onnxruntime cannot load it: ${(e as Error).message.split('\n')[0]}`);
  }
  const meta = (s as unknown as { inputMetadata?: { name: string; shape?: (number | string)[]; isTensor?: boolean }[] }).inputMetadata;
  let nFeatures: number | null = null;
  const shape = meta?.[0]?.shape;
  if (shape && shape.length === 2 && typeof shape[1] === 'number') nFeatures = shape[1];
  const outputs = [...s.outputNames];
  const task = outputs.includes('probabilities') || outputs.some((o) => /prob/i.test(o)) ? 'binary' : 'regression';
  await s.release();
  return { inputs: [...s.inputNames], outputs, nFeatures, task };
}
