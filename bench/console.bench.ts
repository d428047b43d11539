import { execFileSync, spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { render } from 'ink';
import React from 'react';
import { buildRegistry } from '../commands/index.ts';
import { ConsoleSession } from '../commands/session.ts';
import { BarStore } from '../data/store.ts';
import { generateUniverse } from '../data/synthetic.ts';
import { parseTimeframe } from '../src/timeframe.ts';
import { PROJECT_ROOT } from '../src/version.ts';
import { Workspace } from '../src/workspace.ts';
import { App } from '../views/App.tsx';
import { makeTheme, ThemeContext } from '../views/widgets/theme.ts';
import type { Bench, BenchResult } from './run.ts';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

class FakeTty extends EventEmitter {
  columns: number;
  rows: number;
  isTTY = true;
  constructor(cols: number, rows: number) {
    super();
    this.columns = cols;
    this.rows = rows;
  }
  write(): boolean {
    return true;
  }
}

class FakeStdin extends EventEmitter {
  isTTY = true;
  setRawMode(): this {
    return this;
  }
  setEncoding(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  resume(): this {
    return this;
  }
  pause(): this {
    return this;
  }
  read(): null {
    return null;
  }
}

/** Time from launching the real binary in tmux to the Data pane on screen (the demo workspace, already seeded). */
function firstFrameMs(runs: number): number[] | null {
  if (spawnSync('tmux', ['-V']).status !== 0) return null;
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'at-ff-'));
  const env = ['-e', `HOME=${home}`, '-e', `XDG_DATA_HOME=${path.join(home, 'data')}`];
  const out: number[] = [];
  for (let i = 0; i < runs + 1; i++) {
    const s = `at-bench-ff-${process.pid}-${i}`;
    execFileSync('tmux', ['new-session', '-d', '-s', s, '-x', '120', '-y', '36', ...env, 'bash', '--norc', '--noprofile']);
    spawnSync('sleep', ['0.3']);
    const t0 = performance.now();
    execFileSync('tmux', ['send-keys', '-t', s, `unset ALPHATRADE_HOME; exec node ${path.join(PROJECT_ROOT, 'bin/alphatrade')}`, 'Enter']);
    let ok = false;
    while (performance.now() - t0 < 20_000) {
      if (execFileSync('tmux', ['capture-pane', '-p', '-t', s], { encoding: 'utf8' }).includes('last close')) {
        ok = true;
        break;
      }
      spawnSync('sleep', ['0.005']);
    }
    const ms = performance.now() - t0;
    spawnSync('tmux', ['kill-session', '-t', s]);
    if (!ok) throw new Error('console did not show the Data pane within 20 s');
    if (i > 0) out.push(ms); // run 0 seeds the demo workspace
  }
  fs.rmSync(home, { recursive: true, force: true });
  return out;
}

export const CONSOLE_BENCHES: Bench[] = [
  {
    name: 'console',
    async run({ quick }) {
      const out: BenchResult[] = [];
      const ff = process.env.AT_SKIP_FF ? null : firstFrameMs(quick ? 2 : 5);
      if (ff) out.push({ name: 'console first frame (demo, tmux)', value: median(ff), unit: 'ms', target: '≤ 400 ms', note: `median of ${ff.length}: ${ff.map((x) => x.toFixed(0)).join(', ')} (includes tmux polling, ~5 ms)` });
      // Key → redraw at 200×60 on a 46-symbol workspace.
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'at-bench-ui-'));
      const ws = Workspace.open(dir, {});
      const store = new BarStore(ws);
      const batch = store.batch();
      for (const s of generateUniverse({ symbols: 46, bars: 5000, timeframe: parseTimeframe('15m'), seed: 3 })) batch.put(s);
      batch.commit();
      const session = new ConsoleSession(ws, buildRegistry());
      const tty = new FakeTty(200, 60);
      let resolve: ((m: number) => void) | null = null;
      const app = render(
        React.createElement(ThemeContext.Provider, { value: makeTheme({ noColor: false }) }, React.createElement(App, { session, width: 200, height: 59 })),
        { stdout: tty as never, stdin: new FakeStdin() as never, exitOnCtrlC: false, patchConsole: false, maxFps: 1000, onRender: (m) => resolve?.(m.renderTime) },
      );
      await new Promise((r) => setTimeout(r, 200));
      const measure = async (act: () => void) => {
        const t0 = performance.now();
        const inkMs = await new Promise<number>((r) => {
          resolve = r;
          act();
        });
        resolve = null;
        return { total: performance.now() - t0, ink: inkMs };
      };
      const list: { total: number; ink: number }[] = [];
      for (let i = 0; i < 40; i++) list.push(await measure(() => session.move(i % 2 ? -1 : 1)));
      const detail: { total: number; ink: number }[] = [];
      for (let i = 0; i < 10; i++) {
        detail.push(await measure(() => session.open()));
        await measure(() => session.back());
      }
      const inDetail: { total: number; ink: number }[] = [];
      await measure(() => session.open());
      for (let i = 0; i < 20; i++) inDetail.push(await measure(() => session.cycleRange(i % 2 ? -1 : 1)));
      app.unmount();
      await session.close();
      ws.close();
      fs.rmSync(dir, { recursive: true, force: true });
      out.push(...(await rerunBench(quick ? 5 : 15)));
      out.push({ name: 'key j in Data list at 200×60', value: median(list.map((x) => x.total)), unit: 'ms', target: '≤ 16 ms', note: `median of 40; Ink output part ${median(list.map((x) => x.ink)).toFixed(2)} ms` });
      out.push({ name: 'Enter (open chart) at 200×60', value: median(detail.map((x) => x.total)), unit: 'ms', note: 'loads bars, builds chart and report (session) + render' });
      out.push({ name: 'range key in chart at 200×60', value: median(inDetail.map((x) => x.total)), unit: 'ms', note: `median of 20; Ink output part ${median(inDetail.map((x) => x.ink)).toFixed(2)} ms` });
      return out;
    },
  },
];

/**
 * Key `r` in the Backtest pane → the new run drawn: a 72,000-bar sma_cross backtest rerun through the console's job
 * thread (kept warm), its result sent back, the pane rendered by Ink (first frame with the new run).
 */
async function rerunBench(runs: number): Promise<BenchResult[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'at-bench-rr-'));
  const ws = Workspace.open(dir, {});
  const store = new BarStore(ws);
  const batch = store.batch();
  for (const s of generateUniverse({ symbols: 1, bars: 72_000, timeframe: parseTimeframe('15m'), seed: 3 })) batch.put(s);
  batch.commit();
  const session = new ConsoleSession(ws, buildRegistry(), { watchStrategies: false });
  const tty = new FakeTty(200, 60);
  let onFrame: (() => void) | null = null;
  const app = render(React.createElement(ThemeContext.Provider, { value: makeTheme({ noColor: false }) }, React.createElement(App, { session, width: 200, height: 59 })), {
    stdout: tty as never,
    stdin: new FakeStdin() as never,
    exitOnCtrlC: false,
    patchConsole: false,
    maxFps: 1000,
    onRender: () => onFrame?.(),
  });
  const shown = () => session.getState().backtests[0];
  const drawn = (prev: unknown) =>
    new Promise<void>((resolve) => {
      onFrame = () => {
        if (shown() !== prev) resolve();
      };
    });
  const out: number[] = [];
  const vec: number[] = [];
  for (const [line, into] of [
    ['backtest --strategy sma_cross --symbol SYN000', out],
    ['backtest --strategy sma_cross --symbol SYN000 --mode vectorized', vec],
  ] as const) {
    let wait = drawn(shown());
    session.run(line);
    await wait;
    for (let i = 0; i < runs + 1; i++) {
      const prev = shown();
      wait = drawn(prev);
      const t0 = performance.now();
      session.rerunBacktest();
      await wait;
      if (i > 0) into.push(performance.now() - t0);
    }
  }
  app.unmount();
  await session.close();
  ws.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return [
    { name: 'rerun (r) 72,000-bar backtest → drawn', value: median(out), unit: 'ms', target: '≤ 150 ms', note: `event engine; median of ${out.length}: ${out.map((x) => x.toFixed(0)).join(', ')}` },
    { name: 'rerun (r) 72,000-bar vectorized → drawn', value: median(vec), unit: 'ms', target: '≤ 150 ms', note: `median of ${vec.length}: ${vec.map((x) => x.toFixed(0)).join(', ')}` },
  ];
}
