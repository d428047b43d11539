/** Small layout helpers shared by the widgets (display width = code points; the widgets only use narrow characters). */

export const ELLIPSIS = '…';

export function textWidth(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Cut `s` to at most `w` columns, ending in `…` when something was cut. */
export function truncate(s: string, w: number): string {
  if (w <= 0) return '';
  const chars = Array.from(s);
  if (chars.length <= w) return s;
  if (w === 1) return ELLIPSIS;
  return chars.slice(0, w - 1).join('') + ELLIPSIS;
}

/** Exactly `w` columns: truncated with `…` or padded on the side opposite to `align`. */
export function fit(s: string, w: number, align: 'left' | 'right' = 'left'): string {
  if (w <= 0) return '';
  const t = truncate(s, w);
  const pad = ' '.repeat(Math.max(0, w - textWidth(t)));
  return align === 'right' ? pad + t : t + pad;
}

/** Cut a string to `w` columns without an ellipsis. */
export function clip(s: string, w: number): string {
  if (w <= 0) return '';
  const chars = Array.from(s);
  return chars.length <= w ? s : chars.slice(0, w).join('');
}
