/**
 * The workspace: one directory holding the catalog, bar files, logs and artifacts.
 * Chosen by --workspace, else $ALPHATRADE_HOME, else a per-user default ($XDG_DATA_HOME/alphatrade or
 * ~/.local/share/alphatrade).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openCatalog, type DB } from './catalog.ts';
import { Config } from './config.ts';
import { AlphaError } from './errors.ts';
import { createLogger, type Logger } from './logging.ts';

export function defaultWorkspaceDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ALPHATRADE_HOME) return path.resolve(env.ALPHATRADE_HOME);
  const base = env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share');
  return path.join(base, 'alphatrade');
}

export const WORKSPACE_DIRS = ['bars', 'logs', 'reports', 'models', 'features', 'runs', 'strategies', 'tmp'] as const;

export class Workspace {
  readonly dir: string;
  readonly db: DB;
  readonly config: Config;
  readonly log: Logger;

  private constructor(dir: string, db: DB, config: Config, log: Logger) {
    this.dir = dir;
    this.db = db;
    this.config = config;
    this.log = log;
  }

  static open(dir: string, env: NodeJS.ProcessEnv = process.env): Workspace {
    const abs = path.resolve(dir);
    try {
      fs.mkdirSync(abs, { recursive: true });
      for (const d of WORKSPACE_DIRS) fs.mkdirSync(path.join(abs, d), { recursive: true });
    } catch (e) {
      throw new AlphaError(`cannot create workspace at ${abs}: ${(e as Error).message}`);
    }
    const config = new Config(abs, env);
    const log = createLogger(path.join(abs, 'logs'), config.get('log.level'));
    const db = openCatalog(path.join(abs, 'catalog.sqlite'));
    log.info({ dir: abs }, 'workspace opened');
    return new Workspace(abs, db, config, log);
  }

  path(...parts: string[]): string {
    return path.join(this.dir, ...parts);
  }

  close(): void {
    try {
      this.db.close();
    } catch {
      /* already closed */
    }
    this.log.flush?.();
  }
}
