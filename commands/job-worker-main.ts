/**
 * Runs commands in a worker thread for the console: the same registry, argument validation and run() as the CLI,
 * with progress posted back as events (each message carries its job id) and cancellation through an AbortSignal.
 */
import { parentPort } from 'node:worker_threads';
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
  | { type: 'progress'; phase: string; done: number; total: number; message?: string; detail?: Record<string, unknown> }
  | { type: 'result'; result: unknown; text: string; exitCode: number }
  | { type: 'error'; message: string; hint?: string; exitCode: number };

export type JobControl = { type: 'run'; id: number; req: JobRequest } | { type: 'abort'; id: number };

/**
 * The thread runs one job at a time and stays alive for the next (the console keeps a warm one: loading the
 * engine costs more than a quick backtest).
 */
const port = parentPort!;
const running = new Map<number, AbortController>();
let registry: ReturnType<typeof buildRegistry> | undefined;
port.on('message', (m: JobControl) => {
  if (m.type === 'abort') running.get(m.id)?.abort(new AlphaError('cancelled', { exitCode: 130 }));
  else if (m.type === 'run') void runJob(m.id, m.req);
});

async function runJob(id: number, req: JobRequest): Promise<void> {
  const ac = new AbortController();
  running.set(id, ac);
  let ws: Workspace | undefined;
  const later: (() => void)[] = [];
  const post = (m: JobMessage) => port.postMessage({ ...m, id });
  try {
    const reg = (registry ??= buildRegistry());
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
      afterResult: (fn) => later.push(fn),
    };
    let last = 0;
    const result = await cmd.run(ctx, args as never, (e) => {
      const now = Date.now();
      // progress bars need at most 20 updates a second; events with detail (loss batches, trials) all go out
      if (now - last < 50 && e.done !== e.total && !e.detail) return;
      last = now;
      post({ type: 'progress', phase: e.phase, done: e.done, total: e.total, message: e.message, detail: e.detail });
    });
    const text = cmd.render ? cmd.render(result as never, args as never) : '';
    post({ type: 'result', result: JSON.parse(JSON.stringify(result, jsonReplacer)), text, exitCode: cmd.exitCode ? cmd.exitCode(result as never) : 0 });
  } catch (e) {
    const err = e as AlphaError;
    post({ type: 'error', message: err.message ?? String(e), hint: err.hint, exitCode: err.exitCode ?? 1 });
  } finally {
    running.delete(id);
    // deferred work (a run's equity columns into the history) after the result went out, before the workspace closes
    for (const fn of later) {
      try {
        fn();
      } catch (e) {
        // the result is out: the failure goes to the workspace log (a thread's stderr would draw over the console)
        ws?.log.error({ job: id, err: (e as Error).message }, 'work after the result failed');
      }
    }
    ws?.close();
  }
}
