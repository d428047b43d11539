import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { runCli } from '../../commands/cli.ts';
import { buildRegistry } from '../../commands/index.ts';
import { ROOT } from './tmp.ts';

export interface CliOut {
  code: number;
  stdout: string;
  stderr: string;
  json<T = any>(): T;
}

/** Run the CLI in-process (fast); same code path as the binary minus process setup. */
export async function cli(argv: string[], env: NodeJS.ProcessEnv = {}, cwd = ROOT): Promise<CliOut> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (s) => (stdout += `${s}\n`), stderr: (s) => (stderr += `${s}\n`), env, isTTY: false, errIsTTY: false, cwd }, { registry: buildRegistry() });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}

/** Run the real executable in a child process. */
export function bin(argv: string[], env: NodeJS.ProcessEnv = {}, cwd = ROOT): CliOut {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/alphatrade'), ...argv], { cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, json: () => JSON.parse(r.stdout) };
}
