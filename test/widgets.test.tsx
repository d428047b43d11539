import { vi } from 'vitest';

// Chalk (inside Ink) decides its colour level when it is first imported; a test worker's stdout is
// not a TTY, so without this every frame would be colourless and the no-colour checks would prove
// nothing. vi.hoisted runs before the imports below.
vi.hoisted(() => {
  process.env.FORCE_COLOR = '1';
});

import { render } from 'ink-testing-library';
import React from 'react';
import { describe, expect, it } from 'vitest';
import {
  Heatmap,
  heatLevel,
  KeyValue,
  LineChart,
  ProgressBar,
  Sparkline,
  Table,
  ThemeContext,
  downsample,
  layoutColumns,
  makeTheme,
  progressText,
  scrollWindow,
  sparkline,
  type Column,
  type Theme,
} from '../views/widgets/index.ts';

const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');
const lines = (frame: string | undefined) => stripAnsi(frame ?? '').split('\n');
const widthOf = (s: string) => Array.from(s).length;
const COLOR_CODE = /\x1b\[(3[0-7]|9[0-7]|4[0-7]|10[0-7])m/;

function frameOf(el: React.ReactElement, theme?: Theme): string {
  const r = render(theme ? <ThemeContext.Provider value={theme}>{el}</ThemeContext.Provider> : el);
  const f = r.lastFrame() ?? '';
  r.unmount();
  return f;
}

function expectFits(frame: string, width: number) {
  for (const l of lines(frame)) expect(widthOf(l), JSON.stringify(l)).toBeLessThanOrEqual(width);
}

describe('layoutColumns', () => {
  const cols: Column[] = [
    { key: 'a', title: 'a' },
    { key: 'b', title: 'b', align: 'right' },
    { key: 'c', title: 'c' },
  ];
  const rows = [
    { a: 'aaaaaaaaaa', b: '12345678901234567890', c: 'cccccccccc' },
    { a: 'x', b: 42, c: 'y' },
  ];

  it('keeps natural widths when they fit', () => {
    expect(layoutColumns(cols, rows, 100)).toEqual([10, 20, 10]);
  });

  it('shrinks in proportion to each column’s room above its minimum', () => {
    // natural 10/20/10, gap 1 → 28 columns for cells, 12 too many; room above min 3 is 7/17/7 (31):
    // 12·7/31 = 2.71, 12·17/31 = 6.58, 2.71 → floors 2/6/2, the 2 cuts left go to the most room (b, then a).
    const w = layoutColumns(cols, rows, 30);
    expect(w).toEqual([7, 13, 8]);
    expect(w.reduce((x, y) => x + y, 0) + 2).toBe(30);
  });

  it('the shrunk table keeps right alignment and cuts with an ellipsis', () => {
    const f = lines(frameOf(<Table columns={cols} rows={rows} selected={-1} height={5} width={30} />, makeTheme({ noColor: true })));
    expect(f[0]).toBe('a' + ' '.repeat(6) + ' ' + ' '.repeat(12) + 'b' + ' ' + 'c');
    expect(f[1]).toBe('─'.repeat(30));
    expect(f[2]).toBe('aaaaaa… 123456789012… ccccccc…');
    expect(f[3]).toBe('x' + ' '.repeat(6) + ' ' + ' '.repeat(11) + '42' + ' ' + 'y');
  });

  it('drops columns from the right when even the minimums do not fit', () => {
    expect(layoutColumns(cols, rows, 8)).toEqual([3, 3, 0]);
  });
});

describe('scrollWindow', () => {
  it('does not scroll when everything fits', () => {
    expect(scrollWindow(4, 5, 10, 0)).toBe(0);
    expect(scrollWindow(4, 5, 10, 3)).toBe(0);
  });

  it('moving down past the bottom scrolls just enough', () => {
    expect(scrollWindow(9, 100, 10, 0)).toBe(0); // last visible row
    expect(scrollWindow(10, 100, 10, 0)).toBe(1);
    expect(scrollWindow(25, 100, 10, 1)).toBe(16);
    expect(scrollWindow(99, 100, 10, 16)).toBe(90);
  });

  it('keeps the window while the selection is visible, and moving up past the top scrolls up', () => {
    expect(scrollWindow(20, 100, 10, 16)).toBe(16);
    expect(scrollWindow(16, 100, 10, 16)).toBe(16);
    expect(scrollWindow(15, 100, 10, 16)).toBe(15);
    expect(scrollWindow(0, 100, 10, 15)).toBe(0);
  });

  it('clamps a stale offset after the list shrank', () => {
    expect(scrollWindow(-1, 30, 10, 95)).toBe(20);
    expect(scrollWindow(25, 30, 10, 95)).toBe(20);
  });
});

describe('Table', () => {
  const cols: Column[] = [
    { key: 'sym', title: 'symbol' },
    { key: 'px', title: 'price', align: 'right' },
  ];
  const rows = Array.from({ length: 40 }, (_, i) => ({ sym: `S${i}`, px: `${i}.50` }));
  const noColor = makeTheme({ noColor: true });
  // natural widths 6 ("symbol") and 5 ("price"/"39.50") fit with the 2-space gap
  const row = (i: number) => `S${i}`.padEnd(6) + '  ' + `${i}.50`.padStart(5);

  it('shows the selected row (inverse) and the n/N footer, scrolling k9s-like', () => {
    const wrap = (sel: number) => (
      <ThemeContext.Provider value={noColor}>
        <Table columns={cols} rows={rows} selected={sel} height={5} width={30} />
      </ThemeContext.Provider>
    );
    const r = render(wrap(15));
    let raw = r.lastFrame() ?? '';
    let f = lines(raw);
    // header, rule, rows 11..15 (selection at the bottom), footer
    expect(f).toHaveLength(8);
    expect(f[0]).toBe('symbol  price');
    expect(f[2].trimEnd()).toBe(row(11));
    expect(f[6].trimEnd()).toBe(row(15));
    expect(f[7]).toBe(' '.repeat(25) + '16/40');
    const inverted = raw.split('\n').filter((l) => l.includes('\x1b[7m'));
    expect(inverted.map((l) => stripAnsi(l).trimEnd())).toEqual([row(15)]);

    r.rerender(wrap(12)); // still visible: the window stays put
    f = lines(r.lastFrame());
    expect(f[2].trimEnd()).toBe(row(11));
    expect(f[7].trim()).toBe('13/40');

    r.rerender(wrap(3)); // above the window: it scrolls up to the selection
    raw = r.lastFrame() ?? '';
    f = lines(raw);
    expect(f[2].trimEnd()).toBe(row(3));
    expect(f[7].trim()).toBe('4/40');
    expect(raw.split('\n').find((l) => l.includes('\x1b[7m'))).toContain('S3');
    r.unmount();
  });

  it('has no footer when all rows fit, and shows emptyText when there are none', () => {
    const f = lines(frameOf(<Table columns={cols} rows={rows.slice(0, 3)} selected={0} height={5} width={30} />));
    expect(f).toHaveLength(5);
    expect(f.some((l) => /\d+\/\d+/.test(l))).toBe(false);
    const e = lines(frameOf(<Table columns={cols} rows={[]} selected={0} height={5} width={30} emptyText="no symbols yet" />));
    expect(e[2]).toBe('no symbols yet');
  });

  it('right-aligns number cells by default', () => {
    const f = lines(frameOf(<Table columns={[{ key: 'k', title: 'key' }, { key: 'n', title: 'n' }]} rows={[{ k: 'a', n: 5 }, { k: 'b', n: 1234 }]} selected={-1} height={5} width={30} />));
    expect(f[0]).toBe('key     n');
    expect(f[2]).toBe('a       5');
    expect(f[3]).toBe('b    1234');
  });
});

describe('sparkline', () => {
  it('maps min→max onto the eight bars', () => {
    expect(sparkline([1, 2, 3, 4, 5, 6, 7, 8], 8)).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline(new Float64Array([8, 1]), 2)).toBe('█▁');
  });

  it('uses only the last `width` points', () => {
    expect(sparkline([100, -50, 1, 2, 3, 4, 5, 6, 7, 8], 8)).toBe('▁▂▃▄▅▆▇█');
  });

  it('a constant series is one repeated character; NaN is a space; short series pad left', () => {
    const c = sparkline([5, 5, 5, 5], 4);
    expect(c).toHaveLength(4);
    expect(new Set(c).size).toBe(1);
    expect(c[0]).not.toBe(' ');
    expect(sparkline([1, NaN, 3], 3)).toBe('▁ █');
    expect(sparkline([1, 3], 4)).toBe('  ▁█');
  });

  it('the component renders the same string', () => {
    expect(lines(frameOf(<Sparkline values={[1, 2, 3, 4, 5, 6, 7, 8]} width={8} />))[0]).toBe('▁▂▃▄▅▆▇█');
  });
});

describe('downsample', () => {
  it('keeps the last value of each bucket', () => {
    // buckets of 10 points into 4: [0,1] [2,3,4] [5,6] [7,8,9]
    expect(downsample([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 4)).toEqual([1, 4, 6, 9]);
    expect(downsample([10, 20, 30, 40, 50, 60], 3)).toEqual([20, 40, 60]);
  });

  it('has exactly `width` points, ends on the last value, and invents nothing', () => {
    const v = Float64Array.from({ length: 1000 }, (_, i) => i * 2);
    const d = downsample(v, 77);
    expect(d).toHaveLength(77);
    expect(d[76]).toBe(1998);
    for (const x of d) expect(x % 2).toBe(0);
    expect(downsample([1, 2, 3], 10)).toEqual([1, 2, 3]);
    expect(downsample([1, NaN, 3, NaN], 2)).toEqual([NaN, NaN]);
  });
});

describe('LineChart', () => {
  const series = [
    { name: 'alpha', values: [10, 12.5, 11, 15, 13] },
    { name: 'beta', values: [9, 10, 11, 12, 14] },
  ];

  it('shows the legend and a y axis labelled from the data max to its min', () => {
    // 10 lines = legend + 9 plot rows; range 9..15 over 9 rows: step 6/8 = 0.75 → one decimal
    const f = lines(frameOf(<LineChart series={series} width={40} height={10} title="demo" />, makeTheme({ noColor: true })));
    expect(f[0]).toBe('demo  ── alpha  ╌╌ beta');
    expect(f[1]).toMatch(/^15\.0 ┤/);
    expect(f[9]).toMatch(/^ 9\.0 ┼/); // beta starts at the minimum: its first point sits on the axis
    expect(f).toHaveLength(10);
  });

  it('places 3–5 x labels at their columns', () => {
    // values 0..6: 7 rows → step 1 → labels "6.0".."0.0", so the axis is at column 4 and point i at 4 + i
    const values = Array.from({ length: 30 }, (_, i) => i % 7);
    const xLabels = values.map((_, i) => `d${String(i).padStart(2, '0')}`);
    const f = lines(frameOf(<LineChart series={[{ name: '', values }]} xLabels={xLabels} width={60} height={8} />));
    expect(f).toHaveLength(8);
    expect(f[0]).toMatch(/^6\.0 ┤/);
    expect(f[6]).toMatch(/^0\.0 ┼/);
    // picks 0, 7, 15, 22, 29 → first left-aligned at col 4, middle ones centred, last ends at col 33
    expect(f[7]).toBe('    d00   d07     d15    d22   d29');
  });

  it('downsamples to the width and draws NaNs as gaps', () => {
    const values = Array.from({ length: 500 }, (_, i) => (i >= 200 && i < 300 ? NaN : Math.sin(i / 30) * 50 + 100));
    const f = frameOf(<LineChart series={[{ name: 'px', values }]} width={50} height={12} />);
    expectFits(f, 50);
    const plain = stripAnsi(f);
    expect(plain).toContain('╴'); // a line stops before the gap
    expect(plain).toContain('╶'); // and resumes after it
  });

  it('says so when there is nothing to plot', () => {
    const f = lines(frameOf(<LineChart series={[{ name: 'x', values: [NaN, NaN] }]} width={30} height={6} />));
    expect(f.join('\n')).toContain('no data');
  });
});

describe('ProgressBar', () => {
  it('progressText', () => {
    expect(progressText(45, 100, 17)).toBe('[#####-----]  45%');
    expect(progressText(99.9, 100, 17)).toBe('[#########-]  99%');
    expect(progressText(100, 100, 17)).toBe('[##########] 100%');
    expect(progressText(1234, 0, 20)).toBe('… 1,234');
  });

  it('renders 45% with its label', () => {
    const f = lines(frameOf(<ProgressBar done={45} total={100} width={60} label="importing AAPL.csv" />))[0];
    expect(f).toContain('45%');
    expect(f.startsWith('importing AAPL.csv ')).toBe(true);
  });
});

describe('KeyValue', () => {
  it('aligns values after the widest key', () => {
    const f = lines(
      frameOf(
        <KeyValue
          width={40}
          items={[
            { key: 'bars', value: 1234 },
            { key: 'max drawdown', value: '-4.1%', tone: 'down' },
          ]}
        />,
      ),
    );
    expect(f[0].trimEnd()).toBe('bars          1234');
    expect(f[1].trimEnd()).toBe('max drawdown  -4.1%');
  });

  it('two columns fill the left column first', () => {
    const items = ['a', 'b', 'c'].map((k, i) => ({ key: k, value: i }));
    const f = lines(frameOf(<KeyValue width={30} columns={2} items={items} />));
    expect(f).toHaveLength(2);
    expect(f[0]).toMatch(/^a {2}0\s+c {2}2$/);
    expect(f[1].trimEnd()).toBe('b  1');
  });
});

describe('Heatmap', () => {
  it('levels split [min, max] into four equal parts', () => {
    expect([0, 2.49, 2.5, 5, 7.49, 7.5, 10].map((v) => heatLevel(v, 0, 10))).toEqual([0, 0, 1, 2, 2, 3, 3]);
    expect(heatLevel(3, 3, 3)).toBe(2);
  });

  it('draws the highest y at the top, holes as ·, the best as ★, the cursor inverse; rows scroll to the cursor', () => {
    const cells = [
      [0, 5, 10], // y = 1 (row 0, drawn last)
      [null, 2, 8], // y = 2
    ];
    const f = frameOf(<Heatmap cells={cells} min={0} max={10} xLabels={['a', 'b', 'c']} yLabels={['1', '2']} cursor={{ x: 1, y: 1 }} best={{ x: 2, y: 0 }} width={30} height={10} />, makeTheme({ noColor: true }));
    const ls = lines(f);
    // cell width: min(5, (30 − 1 − 1) / 3) = 5 → four shade characters and a space
    // levels of [0, 10]: 2 → 0 ░, 5 → 2 ▓, 8 → 3 █, 10 → 3 █ (★: the best)
    expect(ls[0].trimEnd()).toBe('2    · ░░░░ ████');
    expect(ls[1].trimEnd()).toBe('1 ░░░░ ▓▓▓▓ ███★');
    expect(ls[2].trimEnd()).toBe('  a    b    c');
    expect(f).toContain('\x1b[7m░░░░ '); // (b, 2) is the cursor, drawn inverse
    // four rows, room for two: the cursor's row stays in view
    const tall = [[1], [2], [3], [4]];
    const g = lines(frameOf(<Heatmap cells={tall} min={1} max={4} xLabels={['x']} yLabels={['1', '2', '3', '4']} cursor={{ x: 0, y: 0 }} width={20} height={3} />, makeTheme({ noColor: true })));
    expect(g.map((l) => l[0])).toEqual(['2', '1', ' ']);
  });
});

describe('every widget', () => {
  const many = Array.from({ length: 300 }, (_, i) => ({
    symbol: `SYMBOL${i}`,
    tf: '1d',
    bars: (i * 1234).toLocaleString('en-US'),
    first: '2020-01-01',
    last: '2024-12-31',
    close: (100 + i / 3).toFixed(4),
    change: `${i % 2 ? '+' : '-'}${(i / 100).toFixed(2)}%`,
    trend: sparkline(Array.from({ length: 20 }, (_, k) => Math.sin(k + i)), 12),
  }));
  const columns: Column[] = ['symbol', 'tf', 'bars', 'first', 'last', 'close', 'change', 'trend'].map((k) => ({
    key: k,
    title: k,
    align: ['bars', 'close', 'change'].includes(k) ? 'right' : 'left',
  }));
  const closes = Array.from({ length: 2000 }, (_, i) => 1000 + 300 * Math.sin(i / 150) + (i % 17));
  const labels = closes.map((_, i) => new Date(Date.UTC(2018, 0, 1) + i * 864e5).toISOString().slice(0, 10));
  const all = (width: number) => (
    <>
      <Table columns={columns} rows={many} selected={150} height={8} width={width} />
      <LineChart series={[{ name: 'close', values: closes }, { name: 'half', values: closes.map((x) => x / 2) }]} xLabels={labels} width={width} height={12} title="A VERY LONG TITLE FOR A CHART THAT DOES NOT FIT ANYWHERE" />
      <Sparkline values={closes} width={width} />
      <ProgressBar done={45} total={100} width={width} label={'x'.repeat(200)} />
      <ProgressBar done={45} total={0} width={width} />
      <KeyValue width={width} columns={2} items={[{ key: 'a long key name here', value: 'a value that is much too long to fit in half' }, { key: 'k', value: 1, tone: 'up' }]} />
    </>
  );

  it.each([20, 40, 80, 100])('keeps every line within width %i', (w) => {
    const f = frameOf(<ThemeContext.Provider value={makeTheme()}>{all(w)}</ThemeContext.Provider>);
    expect(f.split('\n').length).toBeGreaterThan(20);
    expectFits(f, w);
  });

  it('emits colour by default and none at all with noColor', () => {
    expect(frameOf(all(80), makeTheme())).toMatch(COLOR_CODE);
    const plain = frameOf(all(80), makeTheme({ noColor: true }));
    expect(plain).not.toMatch(COLOR_CODE);
    expect(plain).toContain('\x1b[7m'); // the selected row is still marked, by inverse
  });
});
