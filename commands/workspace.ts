import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { importData } from '../data/importer.ts';
import { schemaVersion } from '../src/catalog.ts';
import { PROJECT_ROOT, VERSION } from '../src/version.ts';
import type { Workspace } from '../src/workspace.ts';
import { storeOf } from './data.ts';
import { int } from './format.ts';
import { defineCommand } from './registry.ts';

export const DEMO_DATA_DIR = path.join(PROJECT_ROOT, 'demo', 'data');

export const workspaceInfo = defineCommand({
  name: 'workspace',
  summary: 'show the workspace: where it is, what it holds',
  args: () => z.object({}),
  async run(ctx) {
    const ws = ctx.workspace();
    const sets = storeOf(ctx).list();
    const imports = (ws.db.prepare('SELECT COUNT(*) AS n FROM imports').get() as { n: number }).n;
    return { dir: ws.dir, version: VERSION, schemaVersion: schemaVersion(ws.db), symbols: new Set(sets.map((s) => s.symbol)).size, barSets: sets.length, bars: sets.reduce((a, s) => a + s.rows, 0), imports };
  },
  render: (r) => `workspace ${r.dir}\n  alphatrade ${r.version}, catalog schema v${r.schemaVersion}\n  ${r.symbols} symbols, ${r.barSets} bar sets, ${int(r.bars)} bars, ${r.imports} imports`,
});

/** Seed a workspace with the bundled demo data (real public prices; see README for sources). Idempotent. */
export async function seedDemo(ws: Workspace): Promise<{ seeded: boolean; symbols: number }> {
  const store = storeOf({ workspace: () => ws } as never);
  if (store.list().length > 0) return { seeded: false, symbols: store.symbols().length };
  const r = await importData(ws, store, { paths: [DEMO_DATA_DIR], tz: 'UTC', adjust: true, onError: 'fix' });
  return { seeded: r.status === 'ok', symbols: store.symbols().length };
}

export const demoCommand = defineCommand({
  name: 'demo',
  summary: 'seed the workspace with the bundled demo data (real daily, hourly and 5-minute prices)',
  args: () => z.object({}),
  async run(ctx) {
    if (!fs.existsSync(DEMO_DATA_DIR)) throw new Error(`demo data missing at ${DEMO_DATA_DIR}`);
    return { dir: ctx.workspace().dir, ...(await seedDemo(ctx.workspace())) };
  },
  render: (r) => (r.seeded ? `demo data imported into ${r.dir}: ${r.symbols} symbols` : `${r.dir} already holds data (${r.symbols} symbols): nothing imported`),
});

export const WORKSPACE_COMMANDS = [workspaceInfo, demoCommand];
