/**
 * Users' own strategies: a `.ts`, `.mts`, `.js` or `.mjs` file in the workspace's `strategies/` folder (or any path)
 * whose default export (or only exported strategy) implements the Strategy contract. The file is bundled with
 * esbuild (which tsx already brings) into one ES module under the workspace's tmp/ folder, named by the hash of its
 * output, and imported: a saved change gives a new module, so a rerun sees it. `import … from 'alphatrade'` resolves
 * to engine/sdk.ts (defineStrategy, goTo, CrossTracker, diffSign, num, bool and the types).
 *
 * Compile errors carry file:line:column; a file that compiles but does not export a strategy says what is missing.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { AlphaError, nearest, UsageError } from '../src/errors.ts';
import { PROJECT_ROOT } from '../src/version.ts';
import { BUILTIN_STRATEGIES, builtinStrategy } from './strategies/index.ts';
import type { Strategy } from './strategy.ts';

export const STRATEGY_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'] as const;

/** A strategy file that does not compile or does not export a strategy. */
export class StrategyFileError extends AlphaError {
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(line !== undefined ? `${file}:${line}:${column ?? 0}: ${message}` : `${file}: ${message}`);
    this.name = 'StrategyFileError';
  }
}

interface EsbuildMessage {
  text: string;
  location: { file: string; line: number; column: number; lineText: string } | null;
}

/** Compile and import one strategy file. */
export async function loadStrategyFile(file: string, opts: { tmpDir?: string } = {}): Promise<Strategy & { file: string }> {
  const abs = path.resolve(file);
  if (!fs.existsSync(abs)) throw new UsageError(`no strategy file ${abs}`);
  const { build } = await import('esbuild');
  let code: string;
  try {
    const r = await build({
      entryPoints: [abs],
      bundle: true,
      write: false,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      sourcemap: 'inline',
      logLevel: 'silent',
      alias: { alphatrade: path.join(PROJECT_ROOT, 'engine/sdk.ts') },
    });
    code = r.outputFiles[0].text;
  } catch (e) {
    const errs = (e as { errors?: EsbuildMessage[] }).errors;
    const first = errs?.[0];
    if (first) {
      const loc = first.location;
      const more = errs!.length > 1 ? ` (and ${errs!.length - 1} more error${errs!.length > 2 ? 's' : ''})` : '';
      throw new StrategyFileError(`${first.text}${more}`, loc ? path.resolve(loc.file) : abs, loc?.line, loc ? loc.column + 1 : undefined);
    }
    throw new StrategyFileError((e as Error).message, abs);
  }
  const hash = crypto.createHash('sha256').update(code).digest('hex').slice(0, 16);
  const dir = opts.tmpDir ?? path.join(os.tmpdir(), 'alphatrade-strategies');
  fs.mkdirSync(dir, { recursive: true });
  const out = path.join(dir, `${path.basename(abs).replace(/\.[^.]+$/, '')}-${hash}.mjs`);
  if (!fs.existsSync(out)) fs.writeFileSync(out, code);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(out).href)) as Record<string, unknown>;
  } catch (e) {
    throw new StrategyFileError(`fails when loaded: ${(e as Error).message}`, abs);
  }
  const s = pickStrategy(mod, abs);
  return Object.assign(Object.create(null), s, { file: abs }) as Strategy & { file: string };
}

function pickStrategy(mod: Record<string, unknown>, file: string): Strategy {
  const candidates = mod.default !== undefined ? [mod.default] : Object.values(mod).filter((v) => typeof v === 'object' && v !== null && typeof (v as Strategy).init === 'function');
  if (candidates.length === 0) throw new StrategyFileError('exports no strategy: export default defineStrategy({ name, description, universe, params, init })', file);
  if (candidates.length > 1) throw new StrategyFileError(`exports ${candidates.length} strategies: export one (as default)`, file);
  const s = candidates[0] as Partial<Strategy>;
  const problems: string[] = [];
  if (typeof s !== 'object' || s === null) problems.push('the export is not an object');
  else {
    if (typeof s.name !== 'string' || !/^[a-z][a-z0-9_]*$/.test(s.name)) problems.push('name must be a lower-case identifier (e.g. my_strategy)');
    if (typeof s.description !== 'string' || s.description.trim() === '') problems.push('description (one paragraph: the rules) is missing');
    if (!['single', 'pair', 'universe'].includes(s.universe as string)) problems.push("universe must be 'single', 'pair' or 'universe'");
    if (typeof s.init !== 'function') problems.push('init(ctx) must be a function returning { onBar(ctx) }');
    if (s.vectorized !== undefined && typeof s.vectorized !== 'function') problems.push('vectorized must be a function when given');
    if (typeof s.params !== 'object' || s.params === null) problems.push('params must be an object (use {} for none)');
    else
      for (const [k, p] of Object.entries(s.params)) {
        if (!p || !['int', 'float', 'bool', 'string'].includes(p.type)) problems.push(`params.${k}.type must be int, float, bool or string`);
        else if (p.type === 'bool' ? typeof p.default !== 'boolean' : p.type === 'string' ? typeof p.default !== 'string' : typeof p.default !== 'number') problems.push(`params.${k}.default must be a ${p.type === 'bool' ? 'boolean' : p.type === 'string' ? 'string' : 'number'}`);
      }
  }
  if (problems.length) throw new StrategyFileError(`is not a strategy: ${problems.join('; ')}`, file);
  return s as Strategy;
}

/** The user strategy files in a folder (by name, without extension). */
export function userStrategyFiles(dir: string | undefined): { name: string; file: string }[] {
  if (!dir || !fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => (STRATEGY_EXTENSIONS as readonly string[]).includes(path.extname(f)) && !f.endsWith('.d.ts'))
    .sort()
    .map((f) => ({ name: f.replace(/\.[^.]+$/, ''), file: path.join(dir, f) }));
}

/**
 * A strategy by built-in name, by file name in `strategiesDir` (without extension), or by path. Unknown names are a
 * usage error that lists the nearest known name.
 */
export async function resolveStrategy(nameOrPath: string, opts: { strategiesDir?: string; tmpDir?: string } = {}): Promise<Strategy> {
  const b = builtinStrategy(nameOrPath);
  if (b) return b;
  const user = userStrategyFiles(opts.strategiesDir).find((u) => u.name === nameOrPath);
  if (user) return loadStrategyFile(user.file, opts);
  if (/[/\\]/.test(nameOrPath) || (STRATEGY_EXTENSIONS as readonly string[]).includes(path.extname(nameOrPath))) return loadStrategyFile(nameOrPath, opts);
  const names = [...BUILTIN_STRATEGIES.map((s) => s.name), ...userStrategyFiles(opts.strategiesDir).map((u) => u.name)];
  const near = nearest(nameOrPath, names);
  throw new UsageError(`unknown strategy '${nameOrPath}'${near ? ` (did you mean ${near}?)` : ''}; see alphatrade strategies list`);
}

export interface StrategyListing {
  name: string;
  builtin: boolean;
  file?: string;
  strategy?: Strategy;
  error?: string;
}

/** Built-ins, then user files (a file that fails to load is listed with its error). */
export async function listStrategies(strategiesDir?: string, tmpDir?: string): Promise<StrategyListing[]> {
  const out: StrategyListing[] = BUILTIN_STRATEGIES.map((s) => ({ name: s.name, builtin: true, strategy: s }));
  for (const u of userStrategyFiles(strategiesDir)) {
    try {
      const s = await loadStrategyFile(u.file, { tmpDir });
      out.push({ name: s.name, builtin: false, file: u.file, strategy: s });
    } catch (e) {
      out.push({ name: u.name, builtin: false, file: u.file, error: (e as Error).message });
    }
  }
  return out;
}

/**
 * Watch a folder of strategy files; on a save (debounced) the file is compiled and `onChange` gets the strategy or
 * the error. Returns a function that stops watching.
 */
export function watchStrategies(dir: string, onChange: (file: string, result: Strategy | Error) => void, opts: { tmpDir?: string; debounceMs?: number } = {}): () => void {
  fs.mkdirSync(dir, { recursive: true });
  const timers = new Map<string, NodeJS.Timeout>();
  const w = fs.watch(dir, (_ev, name) => {
    if (!name || !(STRATEGY_EXTENSIONS as readonly string[]).includes(path.extname(name))) return;
    const file = path.join(dir, name);
    clearTimeout(timers.get(file));
    timers.set(
      file,
      setTimeout(() => {
        timers.delete(file);
        if (!fs.existsSync(file)) return;
        loadStrategyFile(file, opts).then(
          (s) => onChange(file, s),
          (e: Error) => onChange(file, e),
        );
      }, opts.debounceMs ?? 150),
    );
  });
  return () => {
    w.close();
    for (const t of timers.values()) clearTimeout(t);
  };
}
