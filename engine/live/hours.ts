/**
 * Market hours from the broker's calendar (Alpaca: trading days with their open and close in New York time; early
 * closes included). A live session holds orders for an external broker while the market is closed and sends them at
 * the open, so nothing is queued at the broker on a stale price overnight.
 */
import { wallToUtc } from '../../src/tz.ts';

export interface CalendarDay {
  /** YYYY-MM-DD */
  date: string;
  /** HH:MM, exchange time */
  open: string;
  close: string;
}

export class MarketHours {
  /** [open, close) sessions in UTC ms, ascending */
  readonly sessions: [number, number][];

  constructor(days: CalendarDay[], tz = 'America/New_York') {
    const at = (d: string, hm: string) => wallToUtc(Date.parse(`${d}T${hm}:00Z`), tz);
    this.sessions = days.map((d) => [at(d.date, d.open), at(d.date, d.close)] as [number, number]).sort((a, b) => a[0] - b[0]);
  }

  isOpen(t: number): boolean {
    return this.sessions.some(([o, c]) => t >= o && t < c);
  }

  /** The next open at or after t (null when the calendar ends first). */
  nextOpen(t: number): number | null {
    for (const [o, c] of this.sessions) {
      if (t < o) return o;
      if (t < c) return t;
    }
    return null;
  }
}
