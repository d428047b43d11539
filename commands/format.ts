/** Plain-text helpers for the CLI's human output (the console has its own widgets). */
import { formatTs } from '../src/tz.ts';

export function table(headers: string[], rows: (string | number)[][], align?: ('l' | 'r')[]): string {
  const cells = rows.map((r) => r.map((c) => String(c)));
  const w = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const al = align ?? headers.map((_, i) => (cells.length && cells.every((r) => /^-?[\d,.]+%?$|^NaN$|^—$/.test(r[i] ?? '')) ? 'r' : 'l'));
  const fmtRow = (r: string[]) => r.map((c, i) => (al[i] === 'r' ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  ').trimEnd();
  return [fmtRow(headers), w.map((n) => '─'.repeat(n)).join('  '), ...cells.map(fmtRow)].join('\n');
}

export function num(x: number | null | undefined, digits = 2): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function int(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '—';
  return Math.round(x).toLocaleString('en-US');
}

export function ts(x: number | null | undefined, tz = 'UTC', dateOnly = false): string {
  if (x === null || x === undefined) return '—';
  return formatTs(x, tz, dateOnly);
}

/** A price with as many decimals as it needs (up to 6), for tables of bars. */
export function price(x: number): string {
  if (!Number.isFinite(x)) return 'NaN';
  const a = Math.abs(x);
  const d = a >= 1000 ? 2 : a >= 1 ? 4 : 6;
  return Number(x.toFixed(d)).toString();
}
