/**
 * Opens the full-screen console: alternate screen, one Ink app, and a terminal restored on every way out
 * (q, Ctrl-C, an uncaught error, SIGTERM, SIGHUP when the SSH link drops).
 */
import { render } from 'ink';
import React, { useEffect, useState } from 'react';
import { ConsoleSession } from '../commands/session.ts';
import type { Registry } from '../commands/registry.ts';
import type { Workspace } from '../src/workspace.ts';
import { App } from './App.tsx';
import { makeTheme, ThemeContext } from './widgets/theme.ts';

const ENTER_ALT = '\x1b[?1049h\x1b[H\x1b[?25l';
const LEAVE_ALT = '\x1b[?25h\x1b[?1049l';

export interface ConsoleOptions {
  ws: Workspace;
  registry: Registry;
  noColor: boolean;
  fps: number;
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
  cwd?: string;
  /** a command run as the console opens (`alphatrade paper …` without --headless: the session, on the Blotter pane) */
  initialCommand?: string;
}

function Sized({ session, stdout }: { session: ConsoleSession; stdout: NodeJS.WriteStream }) {
  const [size, setSize] = useState({ cols: stdout.columns || 80, rows: stdout.rows || 24 });
  useEffect(() => {
    const on = () => setSize({ cols: stdout.columns || 80, rows: stdout.rows || 24 });
    stdout.on('resize', on);
    return () => {
      stdout.off('resize', on);
    };
  }, [stdout]);
  return <App session={session} width={size.cols} height={Math.max(6, size.rows - 1)} />;
}

export async function openConsole(opts: ConsoleOptions): Promise<number> {
  const stdout = opts.stdout ?? process.stdout;
  const stdin = opts.stdin ?? process.stdin;
  const session = new ConsoleSession(opts.ws, opts.registry, { cwd: opts.cwd });
  const theme = makeTheme({ noColor: opts.noColor });
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    try {
      stdout.write(LEAVE_ALT);
    } catch {
      /* terminal gone */
    }
  };
  stdout.write(ENTER_ALT);
  process.on('exit', restore);
  const app = render(
    <ThemeContext.Provider value={theme}>
      <Sized session={session} stdout={stdout} />
    </ThemeContext.Provider>,
    { stdout, stdin, exitOnCtrlC: false, patchConsole: false, maxFps: opts.fps, incrementalRendering: false },
  );
  if (opts.initialCommand) {
    session.run(opts.initialCommand);
    session.setPane('blotter');
  } else {
    // a warm job thread once the first frame is up, so the first backtest or rerun does not wait for the engine to load
    session.jobs.prewarm(800);
  }
  return await new Promise<number>((resolve) => {
    let done = false;
    const finish = async (code: number, err?: unknown) => {
      if (done) return;
      done = true;
      unsub();
      for (const s of signals) process.off(s, onSignal);
      process.off('uncaughtException', onError);
      process.off('unhandledRejection', onError);
      try {
        app.unmount();
      } catch {
        /* already unmounted */
      }
      await session.close();
      restore();
      if (err) process.stderr.write(`error: ${(err as Error)?.message ?? String(err)}\n`);
      resolve(code);
    };
    const unsub = session.subscribe(() => {
      if (session.getState().quit) void finish(0);
    });
    const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP', 'SIGINT'];
    const onSignal = (sig: NodeJS.Signals) => void finish(sig === 'SIGINT' ? 130 : 128 + (sig === 'SIGTERM' ? 15 : 1));
    for (const s of signals) process.on(s, onSignal);
    const onError = (e: unknown) => void finish(1, e);
    process.on('uncaughtException', onError);
    process.on('unhandledRejection', onError);
    app.waitUntilExit().then(() => finish(0), (e) => finish(1, e));
  });
}
