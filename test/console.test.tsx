import path from 'node:path';
import { render } from 'ink-testing-library';
import React from 'react';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildRegistry } from '../commands/index.ts';
import { ConsoleSession, OVERLAYS } from '../commands/session.ts';
import { importData } from '../data/importer.ts';
import { BarStore } from '../data/store.ts';
import type { Workspace } from '../src/workspace.ts';
import { App } from '../views/App.tsx';
import { makeTheme, ThemeContext } from '../views/widgets/theme.ts';
import { SHARED, tmpWorkspace } from './helpers/tmp.ts';

const tick = (ms = 30) => new Promise((r) => setTimeout(r, ms));
const KEY = { down: '\x1b[B', up: '\x1b[A', enter: '\r', esc: '\x1b', tab: '\t' };

let ws: Workspace;
beforeAll(async () => {
  ws = tmpWorkspace();
  const r = await importData(ws, new BarStore(ws), {
    paths: [path.join(SHARED, 'backtrader/nvda-2014.txt'), path.join(SHARED, 'backtrader/orcl-2014.txt'), path.join(SHARED, 'backtrader/2006-min-005.txt')],
    tz: 'UTC', adjust: false, onError: 'fail',
  });
  expect(r.status).toBe('ok');
});

const sessions: ConsoleSession[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) await s.close();
});

function mount(width = 100, height = 30) {
  const session = new ConsoleSession(ws, buildRegistry());
  sessions.push(session);
  const clock = () => new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
  const r = render(
    <ThemeContext.Provider value={makeTheme({ noColor: true })}>
      <App session={session} width={width} height={height} clock={clock} />
    </ThemeContext.Provider>,
  );
  return { session, ...r, frame: () => r.lastFrame() ?? '' };
}

describe('console shell', () => {
  it('status bar, pane switcher and the Data pane with every stored symbol', () => {
    const { frame } = mount();
    const f = frame();
    expect(f).toContain('AlphaTrade');
    expect(f).toContain('research');
    expect(f).toContain('03:04:05Z');
    for (const p of ['1 Data', '2 Backtest', '3 Train', '4 Risk', '5 Blotter', '6 Log']) expect(f).toContain(p);
    expect(f).toMatch(/NVDA\s+1d\s+252/);
    expect(f).toMatch(/ORCL\s+1d\s+252/);
    // 2006-min-005: last bar 2006-01-30 17:30, 5m bars
    expect(f).toMatch(/2006-MIN-005\s+5m\s+2,142/);
  });

  it('every line fits the width at 80×24 (no wrapping)', () => {
    const { frame } = mount(80, 23);
    const lines = frame().split('\n');
    expect(lines.length).toBeLessThanOrEqual(23);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
  });

  it('j/k move the selection, Enter opens a chart with the import report, Esc goes back', async () => {
    const { stdin, frame, session } = mount();
    expect(session.getState().selected).toBe(0);
    stdin.write('j');
    await tick();
    expect(session.getState().selected).toBe(1);
    stdin.write('k');
    await tick();
    expect(session.getState().selected).toBe(0);
    stdin.write('G');
    await tick();
    expect(session.getState().selected).toBe(2);
    stdin.write('g');
    await tick();
    const first = session.getState().visible[0].symbol;
    stdin.write(KEY.enter);
    await tick();
    const f = frame();
    expect(f).toContain(`${first}  `);
    expect(f).toContain('import report');
    expect(f).toMatch(/range \w+/);
    stdin.write(']');
    await tick();
    expect(session.getState().detail?.range).not.toBe(undefined);
    stdin.write(KEY.esc);
    await tick(80);
    expect(session.getState().view).toBe('list');
  });

  it('several keys in one chunk (fast typing, tmux send-keys) are handled one by one', async () => {
    const { stdin, session } = mount();
    stdin.write('jj');
    await tick();
    expect(session.getState().selected).toBe(2);
    stdin.write('k\r');
    await tick();
    expect(session.getState().view).toBe('detail');
    expect(session.getState().detail?.symbol).toBe(session.getState().visible[1].symbol);
  });

  it('a chunk that opens the palette, types a line and ends it with Enter runs that line; the keys after it are keys again', async () => {
    const { stdin, session } = mount();
    // one chunk, as tmux send-keys or a paste delivers it: ':' opens the palette, the text is typed, \r submits
    stdin.write(':config list\rj');
    await tick(50);
    expect(session.getState().palette.open).toBe(false);
    expect(session.getState().jobs.map((j) => j.label)).toEqual(['config list']);
    expect(session.getState().selected).toBe(1); // the j after the line moved the list
    // the filter too: text up to the newline, which ends it
    stdin.write('/zz\r');
    await tick(30);
    expect(session.getState().filtering).toBe(false);
    expect(session.getState().filter).toBe('zz');
  });

  it('a line feed counts as Enter (keys typed before the terminal is in raw mode arrive as LF)', async () => {
    const { stdin, session } = mount();
    stdin.write('\n');
    await tick();
    expect(session.getState().view).toBe('detail');
  });

  it('t resamples on the fly to the next timeframe', async () => {
    const { stdin, session } = mount();
    session.setFilter('MIN');
    session.endFilter(true);
    stdin.write(KEY.enter);
    await tick();
    expect(session.getState().detail?.timeframe).toBe('5m');
    stdin.write('t');
    await tick();
    const d = session.getState().detail!;
    expect(d.timeframe).toBe('15m');
    expect(d.resampled).toBe(true);
  });

  it('i picks indicator overlays: computed over the full series, shown in the legend, kept across t', async () => {
    const { stdin, frame, session } = mount();
    session.setFilter('NVDA');
    session.endFilter(true);
    stdin.write(KEY.enter);
    await tick();
    const d0 = session.getState().detail!;
    expect(d0.symbol).toBe('NVDA');
    expect(d0.overlays).toEqual([]);
    stdin.write('i');
    await tick();
    expect(session.getState().overlayPicker.open).toBe(true);
    expect(frame()).toContain('Overlays');
    expect(frame()).toContain('[ ] sma_20');
    // Move to sma_20 (whatever its place in the list) and toggle it with space.
    const j = OVERLAYS.findIndex((o) => o.id === 'sma_20');
    for (let n = 0; n < OVERLAYS.length; n++) stdin.write('k');
    for (let n = 0; n < j; n++) stdin.write('j');
    await tick();
    expect(session.getState().overlayPicker.cursor).toBe(j);
    stdin.write(' ');
    await tick();
    expect(session.getState().overlays).toEqual(['sma_20']);
    const d = session.getState().detail!;
    const sma = d.overlays.find((o) => o.name === 'sma_20')!;
    expect(sma).toBeDefined();
    expect(sma.values.length).toBe(d.closes.length);
    // Independently: the mean of the last 20 closes of the whole loaded series.
    const bars = session.store.load('NVDA', d.timeframe);
    const closes = Array.from(bars.close);
    const mean = closes.slice(-20).reduce((a, x) => a + x, 0) / 20;
    expect(sma.values.at(-1)).toBeCloseTo(mean, 9);
    // Warm-up comes from the full series: the range's first value is defined when 19+ bars precede it.
    const first = bars.ts.length - d.closes.length;
    if (first >= 19) expect(Number.isFinite(sma.values[0])).toBe(true);
    expect(frame()).toContain('[x] sma_20');
    expect(frame()).toContain('sma_20');
    // Enter toggles too: off, then on again.
    stdin.write(KEY.enter);
    await tick();
    expect(session.getState().overlays).toEqual([]);
    expect(session.getState().detail!.overlays).toEqual([]);
    stdin.write(' ');
    await tick();
    expect(session.getState().detail!.overlays.map((o) => o.name)).toEqual(['sma_20']);
    // Esc closes the picker, not the detail view; the legend shows the overlay's name.
    stdin.write(KEY.esc);
    await tick(80);
    expect(session.getState().overlayPicker.open).toBe(false);
    expect(session.getState().view).toBe('detail');
    expect(frame()).not.toContain('Overlays');
    expect(frame()).toMatch(/NVDA close\s+\S+ sma_20/);
    // Kept across a timeframe change (recomputed on the new series) and a symbol change.
    stdin.write('t');
    await tick();
    const dt = session.getState().detail!;
    expect(dt.timeframe).not.toBe(d.timeframe);
    const smaT = dt.overlays.find((o) => o.name === 'sma_20')!;
    expect(smaT.values.length).toBe(dt.closes.length);
    expect(frame()).toContain('sma_20');
    session.openSymbol('ORCL');
    await tick();
    expect(session.getState().detail!.overlays.map((o) => o.name)).toEqual(['sma_20']);
    // Toggling again removes it.
    stdin.write('i');
    await tick();
    stdin.write(' ');
    await tick();
    expect(session.getState().detail!.overlays).toEqual([]);
    stdin.write(KEY.esc);
    await tick(80);
    expect(frame()).not.toContain('sma_20');
  });

  it('the overlay picker shows a band as one item and draws each of its lines', async () => {
    const { session } = mount();
    session.openSymbol('ORCL');
    session.openOverlayPicker();
    session.moveOverlayPicker(OVERLAYS.findIndex((o) => o.id === 'bb_20_2'));
    session.toggleOverlay();
    const names = session.getState().detail!.overlays.map((o) => o.name);
    expect(names).toEqual(['bb_upper_20_2', 'bb_middle_20_2', 'bb_lower_20_2']);
    const [up, mid, lo] = session.getState().detail!.overlays.map((o) => o.values.at(-1)!);
    expect(up).toBeGreaterThan(mid);
    expect(mid).toBeGreaterThan(lo);
    session.cycleRange(-1);
    const d = session.getState().detail!;
    expect(d.overlays.every((o) => o.values.length === d.closes.length)).toBe(true);
  });

  it('? lists the overlay keys', async () => {
    const { stdin, frame } = mount();
    stdin.write('?');
    await tick();
    expect(frame()).toContain('overlay indicators on the chart');
  });

  it('/ filters the list', async () => {
    const { stdin, frame } = mount();
    stdin.write('/');
    await tick();
    stdin.write('NV');
    await tick();
    const f = frame();
    expect(f).toContain('NVDA');
    expect(f).not.toContain('ORCL');
    expect(f).toContain('/NV');
  });

  it('? shows the help overlay listing the pane keys; Esc closes it', async () => {
    const { stdin, frame } = mount();
    stdin.write('?');
    await tick();
    expect(frame()).toContain('Keys — Data pane');
    expect(frame()).toContain('filter symbols');
    stdin.write(KEY.esc);
    await tick(80);
    expect(frame()).not.toContain('Keys — Data pane');
  });

  it(': opens the palette with completion from the registry and history', async () => {
    const { stdin, frame, session } = mount();
    stdin.write(':');
    await tick();
    stdin.write('data re');
    await tick();
    expect(frame()).toContain(':data re');
    expect(session.getState().palette.completions).toEqual(['resample']);
    stdin.write(KEY.tab);
    await tick();
    expect(session.getState().palette.input).toBe('data resample ');
    stdin.write('NV');
    await tick();
    expect(session.getState().palette.completions).toEqual(['NVDA']);
    session.setPaletteInput('data show NVDA --on');
    expect(session.complete('data import x.csv --on-error ')).toEqual(['fail', 'drop', 'fix']);
    stdin.write(KEY.esc);
    await tick(80);
    expect(session.getState().palette.open).toBe(false);
  });

  it('number keys switch panes; empty panes say what fills them', async () => {
    const { stdin, frame } = mount();
    stdin.write('2');
    await tick();
    expect(frame()).toContain('no backtest yet — press : and run, for example:');
    stdin.write('5');
    await tick();
    expect(frame()).toContain('no paper session in this workspace yet');
    stdin.write('1');
    await tick();
    expect(frame()).toContain('NVDA');
  });

  it('q quits at once when no live orders are open', async () => {
    const { stdin, session } = mount();
    stdin.write('q');
    await tick();
    expect(session.getState().quit).toBe(true);
  });

  it('an import from the palette runs in a worker thread and updates the list live', async () => {
    const { session, frame } = mount();
    const before = session.getState().symbols.length;
    session.setPaletteInput(`data import ${path.join(SHARED, 'backtrader/yhoo-2014.txt')}`);
    session.submitPalette();
    expect(session.getState().jobs.some((j) => j.status === 'running')).toBe(true);
    for (let i = 0; i < 200 && !session.getState().symbols.some((s) => s.symbol === 'YHOO'); i++) await tick(100);
    expect(session.getState().symbols.length).toBe(before + 1);
    await tick();
    expect(frame()).toContain('YHOO');
    expect(session.getState().message?.tone).toBe('ok');
  });
});
