import { describe, expect, it } from 'vitest';
import { buildRegistry } from '../commands/index.ts';
import { ConsoleSession } from '../commands/session.ts';
import { tmpWorkspace } from './helpers/tmp.ts';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('console jobs', () => {
  it('a long job runs in a worker, reports progress, and x (cancel) stops it', async () => {
    const ws = tmpWorkspace();
    const session = new ConsoleSession(ws, buildRegistry());
    try {
      const job = session.run('data generate --symbols 400 --bars 200000 --timeframe 1m --seed 1')!;
      expect(job.status).toBe('running');
      // The UI thread stays free: timers keep firing while the worker generates.
      let ticks = 0;
      const t = setInterval(() => ticks++, 10);
      for (let i = 0; i < 100 && !session.getState().jobs.some((j) => j.done > 0); i++) await tick(50);
      expect(session.getState().jobs[0].phase).toBe('generate');
      session.cancelLatestJob();
      for (let i = 0; i < 100 && session.getState().jobs[0].status === 'running'; i++) await tick(50);
      clearInterval(t);
      expect(session.getState().jobs[0].status).toBe('cancelled');
      expect(ticks).toBeGreaterThan(5);
      expect(session.store.list()).toEqual([]);
    } finally {
      await session.close();
      ws.close();
    }
  });

  it('an invalid palette line is refused with a message, and no job starts', async () => {
    const ws = tmpWorkspace();
    const session = new ConsoleSession(ws, buildRegistry());
    try {
      expect(session.run('data imprt x.csv')).toBeNull();
      expect(session.getState().message?.text).toMatch(/did you mean data import/);
      expect(session.run('data import x.csv --on-error dorp')).toBeNull();
      expect(session.getState().message?.tone).toBe('error');
      expect(session.getState().jobs).toEqual([]);
    } finally {
      await session.close();
      ws.close();
    }
  });
});

describe('quit guard and trading status', () => {
  it('q quits at once without live orders, asks first with live orders open; the status bar shows mode and equity', async () => {
    const { render } = await import('ink-testing-library');
    const React = (await import('react')).default;
    const { App } = await import('../views/App.tsx');
    const ws = tmpWorkspace();
    const session = new ConsoleSession(ws, buildRegistry());
    try {
      const r = render(React.createElement(App, { session, width: 100, height: 20 }));
      session.setTrading({ mode: 'paper', equity: 100_250.5, openOrders: 2 });
      await tick(30);
      expect(r.lastFrame()).toMatch(/paper │ .* │ equity 100250\.50/);
      r.stdin.write('q');
      await tick(30);
      expect(session.getState().quit).toBe(false);
      expect(session.getState().confirmQuit).toBe(true);
      expect(r.lastFrame()).toContain('2 live orders are open: press q again to quit, Esc to stay');
      r.stdin.write('\x1b');
      await tick(80);
      expect(session.getState().confirmQuit).toBe(false);
      expect(session.getState().quit).toBe(false);
      r.stdin.write('q');
      await tick(30);
      r.stdin.write('q');
      await tick(30);
      expect(session.getState().quit).toBe(true);
      r.unmount();
    } finally {
      await session.close();
      ws.close();
    }
  });
});
