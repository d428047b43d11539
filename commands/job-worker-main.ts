/**
 * Runs one command in a worker thread for the console: the same registry, argument validation and run() as the
 * CLI, with progress posted back as events and cancellation through an AbortSignal.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { AlphaError } from '../src/errors.ts';
import { Workspace } from '../src/workspace.ts';
import { buildRegistry } from './index.ts';
import type { CommandContext } from './registry.ts';
import { parseArgs, validateArgs, jsonReplacer } from './cli.ts';

export interface JobRequest {
  command: string;
  tokens: string[];
  workspaceDir: string;
  cwd: string;
  env: Record<string, string | undefined>;
}

export type JobMessage =
  | { type: 'progress'; phase: string; done: number; total: number; message?: string }
  | { type: 'result'; result: unknown; text: string; exitCode: number }
  | { type: 'error'; message: string; hint?: string; exitCode: number };

const req = workerData as JobRequest;
const port = parentPort!;
const ac = new AbortController();
port.on('message', (m: { type: string }) => {
  if (m.type === 'abort') ac.abort(new AlphaError('cancelled', { exitCode: 130 }));
});

let ws: Workspace | undefined;
try {
  const reg = buildRegistry();
  const cmd = reg.get(req.command);
  if (!cmd) throw new AlphaError(`unknown command ${req.command}`, { exitCode: 2 });
  const args = validateArgs(cmd, parseArgs(cmd, req.tokens));
  const ctx: CommandContext = {
    workspace: () => (ws ??= Workspace.open(req.workspaceDir, req.env)),
    workspaceDir: req.workspaceDir,
    signal: ac.signal,
    env: req.env,
    interactive: false,
    cwd: req.cwd,
  };
  let last = 0;
  const result = await cmd.run(ctx, args as never, (e) => {
    const now = Date.now();
    if (now - last < 50 && e.done !== e.total) return;
    last = now;
    port.postMessage({ type: 'progress', phase: e.phase, done: e.done, total: e.total, message: e.message } satisfies JobMessage);
  });
  const text = cmd.render ? cmd.render(result as never, args as never) : '';
  port.postMessage({ type: 'result', result: JSON.parse(JSON.stringify(result, jsonReplacer)), text, exitCode: cmd.exitCode ? cmd.exitCode(result as never) : 0 } satisfies JobMessage);
} catch (e) {
  const err = e as AlphaError;
  port.postMessage({ type: 'error', message: err.message ?? String(e), hint: err.hint, exitCode: err.exitCode ?? 1 } satisfies JobMessage);
} finally {
  ws?.close();
}
