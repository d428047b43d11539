import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Workspace } from '../../src/workspace.ts';

export const SHARED = path.resolve(__dirname, '../../../shared/data');
export const ROOT = path.resolve(__dirname, '../..');

export function tmpDir(prefix = 'at-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function tmpWorkspace(env: NodeJS.ProcessEnv = {}): Workspace {
  return Workspace.open(tmpDir('at-ws-'), env);
}

/** Write a file in a fresh temp dir and return its path. */
export function writeTmp(name: string, content: string | Buffer): string {
  const d = tmpDir('at-f-');
  const p = path.join(d, name);
  fs.writeFileSync(p, content);
  return p;
}
