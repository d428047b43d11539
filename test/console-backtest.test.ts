/**
 * The Backtest pane: a backtest run from the palette runs in a worker thread, and the pane shows its equity curve,
 * metrics and trades; `r` reruns it and the previous curve stays on the chart to compare.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildRegistry } from '../commands/index.ts';
import { ConsoleSession } from '../commands/session.ts';
import { ROOT, tmpWorkspace } from './helpers/tmp.ts';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ORCL = path.join(ROOT, 'demo/data/orcl-1995-2014.txt');

describe('palette completion for backtests', () => {
  it('completes strategy names (built-in and the workspace’s) and model specs', async () => {
    const ws = tmpWorkspace();
    const session = new ConsoleSession(ws, buildRegistry(), { cwd: ROOT, watchStrategies: false });
    try {
      expect(session.complete('backtest --strategy sma')).toEqual(['sma_cross']);
      expect(session.complete('backtest --strategy ')).toContain('xs_reversal');
      (await import('node:fs')).writeFileSync(ws.path('strategies', 'smart_one.ts'), '');
      expect(session.complete('backtest --strategy sm')).toEqual(['sma_cross', 'smart_one']);
      expect(session.complete('backtest --commission ibkr')).toEqual(['ibkr_fixed', 'ibkr_tiered']);
      expect(session.complete('backtest --fill v')).toEqual(['vwap', 'volume:0.1']);
      expect(session.complete('backtest --mode ')).toEqual(['event', 'vectorized']);
    } finally {
      await session.close();
      ws.close();
    }
  });
});

describe('Backtest pane', () => {
  it('shows the run from the palette, moves in the trades, and reruns with r', async () => {
    const { render } = await import('ink-testing-library');
    const React = (await import('react')).default;
    const { App } = await import('../views/App.tsx');
    const ws = tmpWorkspace();
    const session = new ConsoleSession(ws, buildRegistry(), { cwd: ROOT });
    try {
      const r = render(React.createElement(App, { session, width: 120, height: 40 }));
      r.stdin.write('2');
      await tick(30);
      expect(r.lastFrame()).toMatch(/no backtest yet/);
      const job = session.run(`backtest --strategy sma_cross --data ${ORCL} --tz America/New_York --param fast=20 --param slow=50 --commission pct:0.001`);
      expect(job).not.toBeNull();
      for (let i = 0; i < 200 && session.getState().backtests.length === 0; i++) await tick(50);
      const st = session.getState();
      expect(st.jobs[0].status).toBe('done');
      expect(st.pane).toBe('backtest');
      const b = st.backtests[0];
      // the chart's points are the equity at bucket ends: the last one is the final equity
      expect(b.equity.at(-1)).toBeCloseTo(b.summary.final_equity, 6);
      expect(b.equity.length).toBeLessThanOrEqual(1000);
      expect(Math.min(...b.drawdown)).toBeCloseTo(b.summary.metrics.max_drawdown!, 2);
      await tick(30);
      const f = r.lastFrame()!;
      expect(f).toMatch(/sma_cross fast=20 slow=50 short=false · ORCL · event/);
      expect(f).toMatch(/final equity/);
      expect(f).toMatch(/commission pct:0\.001/);
      // the last trade is selected; k moves up
      const n = b.summary.trades.length;
      expect(session.getState().tradeCursor).toBe(n - 1);
      r.stdin.write('k');
      await tick(20);
      expect(session.getState().tradeCursor).toBe(n - 2);
      r.stdin.write('g');
      await tick(20);
      expect(session.getState().tradeCursor).toBe(0);
      // the parameter editor: the strategy's declared parameters with the run's values
      for (let i = 0; i < 40 && !session.getState().paramEdit; i++) await tick(25);
      expect(session.getState().paramEdit!.params.map((p) => `${p.name}=${p.value}`)).toEqual(['fast=20', 'slow=50', 'short=false']);
      // → selects slow, + + steps it by its declared step (5) twice, r reruns with it
      r.stdin.write('l');
      await tick(20);
      r.stdin.write('+');
      await tick(20);
      r.stdin.write('+');
      await tick(30);
      expect(r.lastFrame()).toMatch(/slow=60\*/);
      r.stdin.write('r');
      for (let i = 0; i < 200 && session.getState().backtests.length < 2; i++) await tick(50);
      await tick(30);
      expect(session.getState().backtests).toHaveLength(2);
      expect(session.getState().backtests[0].summary.params).toMatchObject({ fast: 20, slow: 60 });
      // both runs on the chart: the legend names the previous one
      expect(r.lastFrame()).toMatch(/previous fast=20 slow=50/);
      // a bool flips; the range is respected (fast's minimum is 2)
      for (let i = 0; i < 40 && session.getState().paramEdit?.params[1].value !== 60; i++) await tick(25);
      r.stdin.write('l');
      await tick(20);
      r.stdin.write('+');
      await tick(20);
      expect(session.getState().paramEdit!.params[2]).toMatchObject({ name: 'short', value: true, changed: true });
      r.stdin.write('l');
      await tick(20);
      for (let i = 0; i < 30; i++) r.stdin.write('-');
      await tick(50);
      expect(session.getState().paramEdit!.params[0]).toMatchObject({ name: 'fast', value: 2 });
      r.unmount();
    } finally {
      await session.close();
      ws.close();
    }
  });
});

/** A console session drawn by ink-testing-library at width × height; closed afterwards. */
async function withConsole(width: number, height: number, fn: (session: ConsoleSession, r: { stdin: { write(s: string): void }; lastFrame(): string | undefined }) => Promise<void>) {
  const { render } = await import('ink-testing-library');
  const React = (await import('react')).default;
  const { App } = await import('../views/App.tsx');
  const ws = tmpWorkspace();
  const session = new ConsoleSession(ws, buildRegistry(), { cwd: ROOT, watchStrategies: false });
  try {
    const r = render(React.createElement(App, { session, width, height }));
    await fn(session, r);
    r.unmount();
  } finally {
    await session.close();
    ws.close();
  }
}

describe('Backtest pane: sweeps and walk-forward', () => {
  it('a sweep shows its heatmap with the cursor on the best cell; arrows move; Enter backtests that cell', () =>
    withConsole(120, 40, async (session, r) => {
      session.run(`sweep --strategy sma_cross --data ${ORCL} --tz America/New_York --grid fast=5:20:5 --grid slow=30,60,90`);
      expect(session.getState().btView).toBe('sweep');
      expect(session.getState().pane).toBe('backtest');
      for (let i = 0; i < 300 && !session.getState().sweep?.heat; i++) await tick(50);
      const sw = session.getState().sweep!;
      const h = sw.heat!;
      expect(h.x.values).toEqual([5, 10, 15, 20]);
      expect(h.y!.values).toEqual([30, 60, 90]);
      // the cursor starts on the best cell: the largest value of the grid
      expect(h.cells[sw.cy][sw.cx]).toBe(h.max);
      await tick(30);
      let f = r.lastFrame()!;
      expect(f).toMatch(/sweep sma_cross · 12 combinations of fast \(4\) × slow \(3\) · objective sharpe/);
      expect(f).toMatch(/★/);
      expect(f).toMatch(/PBO \d+\.\d%/);
      // move to fast=5 slow=30 (bottom-left) and open it
      for (let i = 0; i < 4; i++) r.stdin.write('h');
      for (let i = 0; i < 3; i++) r.stdin.write('j');
      await tick(30);
      expect([session.getState().sweep!.cx, session.getState().sweep!.cy]).toEqual([0, 0]);
      f = r.lastFrame()!;
      expect(f).toMatch(/cell: fast=5 slow=30 {2}sharpe -?\d\.\d{3}/);
      const want = h.cells[0][0]!;
      r.stdin.write('\r');
      for (let i = 0; i < 200 && session.getState().backtests.length === 0; i++) await tick(50);
      const b = session.getState().backtests[0];
      expect(b.summary.params).toEqual({ fast: 5, slow: 30, short: false });
      expect(b.summary.metrics.sharpe).toBeCloseTo(want, 10);
      expect(session.getState().btView).toBe('run');
      await tick(30);
      expect(r.lastFrame()).toMatch(/drawdown %/);
      r.stdin.write('v');
      await tick(30);
      expect(r.lastFrame()).toMatch(/sweep sma_cross/);
    }));

  it('a walk-forward shows its stitched equity, its efficiency and its windows', () =>
    withConsole(140, 44, async (session, r) => {
      session.run(`walkforward --strategy sma_cross --data ${ORCL} --tz America/New_York --grid fast=5:20:5 --grid slow=30,60 --train 1000 --test 500`);
      for (let i = 0; i < 300 && session.getState().backtests.length === 0; i++) await tick(50);
      const b = session.getState().backtests[0];
      expect(b.summary.walkforward!.windows).toHaveLength(9);
      expect(b.equity.at(-1)).toBeCloseTo(b.summary.final_equity, 6);
      await tick(30);
      const f = r.lastFrame()!;
      expect(f).toMatch(/sma_cross walk-forward \(9 windows, rolling 1000\/500\)/);
      expect(f).toMatch(/WF efficiency/);
      expect(f).toMatch(/test window/);
      expect(f).toMatch(/1 +1998-12…2000-12 +fast=\d+ slow=\d+/);
      r.stdin.write('G'); // the last, short window
      await tick(30);
      expect(session.getState().tradeCursor).toBe(8);
      expect(r.lastFrame()).toMatch(/9 +2014-11…2014-12 +fast=\d+ slow=\d+/);
    }));
});

describe('comparing stored runs', () => {
  it('runs compare from the palette overlays the two runs’ equity and drawdown curves', () =>
    withConsole(120, 40, async (session, r) => {
      const { cli } = await import('./helpers/cli.ts');
      for (const fast of ['10', '20']) expect((await cli(['--workspace', session.ws.dir, 'backtest', '--strategy', 'sma_cross', '--data', ORCL, '--tz', 'America/New_York', '--param', `fast=${fast}`])).code).toBe(0);
      session.run('runs compare 1 2');
      for (let i = 0; i < 200 && session.getState().backtests.length < 2; i++) await tick(50);
      const [b, a] = session.getState().backtests;
      expect(b.compare).toBe(true);
      expect(a.summary.params.fast).toBe(10);
      expect(b.summary.params.fast).toBe(20);
      expect(b.equity.at(-1)).toBeCloseTo(b.summary.final_equity, 6);
      await tick(30);
      const f = r.lastFrame()!;
      expect(f).toMatch(/── run 2 fast=20 slow=30 short=false +── run 1 fast=10 slow=30 short=false/);
      expect(f).toMatch(/drawdown %/);
    }));
});

describe('Risk pane', () => {
  it('shows each limit with its peak use, the breakers and their trips, VaR/CVaR and the latest rejections', () =>
    withConsole(120, 40, async (session, r) => {
      const fs = await import('node:fs');
      const file = session.ws.path('limits.json');
      fs.writeFileSync(file, JSON.stringify({ limits: { position_pct: 0.5, leverage: 1 }, breakers: { max_drawdown: 0.3 } }));
      r.stdin.write('4');
      await tick(30);
      expect(r.lastFrame()).toMatch(/no run with limits yet/);
      session.run(`backtest --strategy sma_cross --data ${ORCL} --tz America/New_York --sizer percent:45 --risk ${file}`);
      for (let i = 0; i < 300 && session.getState().backtests.length === 0; i++) await tick(50);
      const b = session.getState().backtests[0].summary;
      const risk = session.getState().risk;
      // the pane's figures are the run's: peak use = peak / limit; VaR and CVaR are the run's metrics as losses
      const pos = b.risk!.limits.find((l) => l.rule === 'position_pct')!;
      expect(risk.limits.find((l) => l.rule === 'position_pct')!.use).toBeCloseTo(pos.peak / 0.5, 12);
      expect(risk.var95).toBe(-b.metrics.var_95!);
      expect(risk.breakers.find((x) => x.name === 'max_drawdown')).toMatchObject({ tripped: true, trips: 1 });
      r.stdin.write('4');
      await tick(50);
      const f = r.lastFrame()!;
      expect(f).toMatch(/risk · sma_cross fast=10 slow=30 short=false · ORCL/);
      expect(f).toMatch(new RegExp(`position_pct +50\\.0% +0\\.0% +${(pos.peak * 100).toFixed(1)}% +\\[#{15}\\] +${Math.round((pos.peak / 0.5) * 100)}%`));
      expect(f).toMatch(/max_drawdown +30\.0% +\d+\.\d% +TRIPPED +1× first 2002-08-13/);
      expect(f).toMatch(/VaR 95% \d\.\d% · CVaR 95% \d\.\d%/);
      expect(f).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d +ORCL +max_drawdown +\d+\.\d% +30\.0%/);
      expect(f).toMatch(/consecutive_losses +— +0 +not set/);
      expect(f).toMatch(/kill switch off/);
    }));
});

describe('Train pane', () => {
  it('after :train it shows the new model in the registry, the out-of-sample scores, CV and the largest weights', () =>
    withConsole(120, 40, async (session, r) => {
      session.run(`train --model logreg --data ${ORCL} --tz America/New_York --only rsi_14,roc_12,atr_14 --cv purged --folds 3`);
      for (let i = 0; i < 300 && !session.getState().train.last; i++) await tick(50);
      const st = session.getState();
      expect(st.pane).toBe('train');
      const last = st.train.last!;
      expect(st.train.models.map((m) => m.id)).toEqual([last.model_id]);
      expect(st.train.models[0].auc).toBe(last.scores.auc);
      await tick(50);
      const f = r.lastFrame()!;
      expect(f).toMatch(/model registry \(1\)/);
      expect(f).toMatch(new RegExp(`out of sample: AUC ${last.scores.auc!.toFixed(3)}`));
      expect(f).toMatch(/purged CV, 3 folds: AUC \d\.\d{3} ± \d\.\d{3}/);
      expect(f).toMatch(/rsi_14 +█+ [+-]\d\.\d{3}/);
    }));

  it('while a search trains: the trial leaderboard and every round of the final fit’s loss curves; then gain bars', () =>
    withConsole(120, 48, async (session, r) => {
      session.run(`train --model gbdt --data ${ORCL} --tz America/New_York --only rsi_14,roc_12,atr_14,adx_14 --optimize --trials 4 --threads 1 --no-save`);
      for (let i = 0; i < 400 && !session.getState().train.last; i++) await tick(50);
      const st = session.getState();
      const live = st.train.live!;
      expect(live.status).toBe('done');
      expect(live.trials).toHaveLength(4);
      expect(live.trials.every((t) => t.state === 'complete' || t.state === 'pruned')).toBe(true);
      // the batches of round losses add up to the final fit's every round, train and validation
      const res = (st.jobs.find((j) => j.id === live.jobId)!.result as { params: { rounds: number }; curve: { train: number[]; valid: number[] } });
      expect(live.train).toHaveLength(res.params.rounds);
      expect(live.train).toEqual(res.curve.train);
      expect(live.valid).toEqual(res.curve.valid);
      await tick(50);
      const f = r.lastFrame()!;
      expect(f).toMatch(/gbdt log-loss by round \(\d+\/\d+\)/);
      expect(f).toMatch(/best trials \(validation log-loss\)/);
      const best = [...live.trials].sort((p, q) => p.value! - q.value!)[0];
      expect(f).toContain(`#${best.number + 1}`);
      expect(f).toMatch(/feature importance: total gain/);
      expect(f).toMatch(/(rsi_14|roc_12|atr_14|adx_14) +█+ \d+/);
    }));
});

describe('Blotter pane', () => {
  it('shows a paper session from the journal; c, F and K send their requests to the running session', () =>
    withConsole(140, 44, async (session, r) => {
      // a finished session: equity, positions (the sum of fills) and fills
      session.run(`paper --strategy sma_cross --data ${ORCL} --tz America/New_York --speed max --headless`);
      for (let i = 0; i < 300 && !session.getState().jobs.some((j) => j.command === 'paper' && j.status !== 'running'); i++) await tick(50);
      session.setPane('blotter');
      await tick(50);
      const b = session.getState().blotter;
      expect(b.session?.status).toBe('finished');
      expect(b.nFills).toBeGreaterThan(50);
      const f = r.lastFrame()!;
      expect(f).toContain(`session ${b.session!.id} · sma_cross on ORCL · finished`);
      expect(f).toMatch(/equity 508,?190\.37/);
      expect(f).toMatch(/ORCL +11300 +38\.9300/);
      expect(f).toMatch(/fills \(latest first\)/);
      // a running session (a stand-in row in the journal) receives the keys' requests
      const { openJournal } = await import('../engine/live/journal.ts');
      const db = openJournal(path.join(session.getState().workspaceDir, 'journal.sqlite'));
      db.prepare("INSERT INTO sessions (id, strategy, symbols, broker, feed, config, started_at, status, pid) VALUES ('live1', 'sma_cross', 'ORCL', 'paper', 'replay', '{\"capital\":1000}', '2099-01-01', 'running', 1)").run();
      db.prepare("INSERT INTO orders (client_order_id, session_id, symbol, side, type, qty, tif, source, bar_ts, created_at, status) VALUES ('live1-o1', 'live1', 'ORCL', 'buy', 'limit', 5, 'gtc', 'strategy', 0, 'x', 'working')").run();
      db.prepare("INSERT INTO events (session_id, client_order_id, seq, type, bar_ts, at) VALUES ('live1', 'live1-o1', 0, 'new', 0, 'x')").run();
      session.refreshBlotter(true);
      expect(session.getState().mode).toBe('paper');
      expect(session.getState().blotter.working.map((o) => o.client_order_id)).toEqual(['live1-o1']);
      r.stdin.write('c');
      r.stdin.write('F');
      for (let i = 0; i < 100 && (db.prepare('SELECT COUNT(*) n FROM requests').get() as { n: number }).n < 2; i++) await tick(50);
      const reqs = db.prepare('SELECT kind, body FROM requests ORDER BY id').all() as { kind: string; body: string }[];
      expect(reqs.map((x) => x.kind)).toEqual(['cancel', 'flatten']);
      expect(JSON.parse(reqs[0].body).id).toBe('live1-o1');
      // K: the kill switch on (the session's risk manager halts new exposure) and every order canceled
      r.stdin.write('K');
      for (let i = 0; i < 100 && (db.prepare('SELECT COUNT(*) n FROM requests').get() as { n: number }).n < 3; i++) await tick(50);
      expect((db.prepare('SELECT kind FROM requests ORDER BY id DESC LIMIT 1').get() as { kind: string }).kind).toBe('cancel_all');
      const { readKillSwitch } = await import('../commands/risk.ts');
      for (let i = 0; i < 100 && !readKillSwitch(session.getState().workspaceDir).killed; i++) await tick(50);
      expect(readKillSwitch(session.getState().workspaceDir)).toMatchObject({ killed: true, reason: 'blotter' });
      db.close();
    }));
});
