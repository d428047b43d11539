/** Plain-text helpers for the CLI's human output (the console has its own widgets). */
import { formatTs } from '../src/tz.ts';

export function table(headers: string[], rows: (string | number)[][], align?: ('l' | 'r')[]): string {
  const cells = rows.map((r) => r.map((c) => String(c)));
  const w = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const al = align ?? headers.map((_, i) => (cells.length && cells.every((r) => /^-?[\d,.]+%?$|^NaN$|^—$/.test(r[i] ?? '')) ? 'r' : 'l'));
  const fmtRow = (r: string[]) => r.map((c, i) => (al[i] === 'r' ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  ').trimEnd();
  return [fmtRow(headers), w.map((n) => '─'.repeat(n)).join('  '), ...cells.map(fmtRow)].join('\n');
}

// Formatters are made on first use and kept: building an Intl.NumberFormat costs ~10 ms the first time (ICU data)
// and ~50 µs after, which `toLocaleString(…, options)` pays on every call (a trade list formats thousands of cells).
const formats = new Map<number, Intl.NumberFormat>();
function fmt(digits: number, min = digits): Intl.NumberFormat {
  const key = digits * 100 + min;
  let f = formats.get(key);
  if (!f) formats.set(key, (f = new Intl.NumberFormat('en-US', { minimumFractionDigits: min, maximumFractionDigits: digits })));
  return f;
}

export function num(x: number | null | undefined, digits = 2): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  return fmt(digits).format(x);
}

export function int(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  return fmt(0).format(Math.round(x));
}

export function ts(x: number | null | undefined, tz = 'UTC', dateOnly = false): string {
  if (x === null || x === undefined) return '—';
  return formatTs(x, tz, dateOnly);
}

/** A price to at most 6 significant digits, 2 decimals from 100 up: 3677.52, 19.765, 1.2343, 0.53465. */
export function price(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return x === null || x === undefined ? '—' : 'NaN';
  return Math.abs(x) >= 100 ? x.toFixed(2) : Number(x.toPrecision(6)).toString();
}

/** A fraction as a signed percentage: +0.62%. */
export function pct(x: number | null | undefined, digits = 2): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  return `${x >= 0 ? '+' : ''}${(x * 100).toFixed(digits)}%`;
}
