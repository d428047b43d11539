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
