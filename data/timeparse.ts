/**
 * Timestamp parsing for imported files. Formats are detected once per column from its values, then every value
 * is parsed with the detected format by a small hand-written scanner (charCodeAt, no regex per value): this is a
 * hot path over millions of rows, and Date.parse is both slower and lenient in ways that hide bad data.
 *
 * Values are returned as "wall" milliseconds (the written clock time read as if UTC); callers convert wall time
 * to UTC with the import's time zone unless the value carried its own offset (then `hasZone` is set).
 */
export type DateFormat =
  | 'iso' // YYYY-MM-DD or YYYY/MM/DD, optional [T ]HH:MM[:SS[.fff]] and optional Z / ±HH:MM
  | 'ymd8' // YYYYMMDD, optional time after a space
  | 'dmy' // DD/MM/YYYY or DD.MM.YYYY or DD-MM-YYYY, optional time
  | 'mdy' // MM/DD/YYYY, optional time
  | 'epoch_s'
  | 'epoch_ms';

export interface ParsedTime {
  /** Wall-clock ms, or UTC ms when hasZone. NaN when the text doesn't parse. */
  ms: number;
  hasZone: boolean;
}

const ISO_RE = /^\d{4}[-/]\d{1,2}[-/]\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;
const YMD8_RE = /^\d{8}( \d{1,2}:\d{2}(:\d{2})?)?$/;
const DMY_RE = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?$/;
const EPOCH_RE = /^\d{9,13}(\.\d+)?$/;

/**
 * Detect the format of a timestamp column from a sample of its values. For day/month-first ambiguity, any field
 * above 12 decides; when none does, day-first is assumed and said so in the note.
 */
export function detectDateFormat(samples: readonly string[]): { format: DateFormat; note?: string } | null {
  const vals = samples.map((s) => s.trim()).filter((s) => s.length > 0);
  if (vals.length === 0) return null;
  const all = (re: RegExp) => vals.every((v) => re.test(v));
  if (all(ISO_RE)) return { format: 'iso' };
  if (all(YMD8_RE)) {
    const ok = vals.every((v) => {
      const y = Number(v.slice(0, 4));
      const m = Number(v.slice(4, 6));
      const d = Number(v.slice(6, 8));
      return y >= 1800 && y <= 2200 && m >= 1 && m <= 12 && d >= 1 && d <= 31;
    });
    if (ok) return { format: 'ymd8' };
  }
  if (all(EPOCH_RE)) {
    const big = vals.some((v) => v.split('.')[0].length >= 12);
    return { format: big ? 'epoch_ms' : 'epoch_s' };
  }
  if (all(DMY_RE)) {
    let firstOver12 = false;
    let secondOver12 = false;
    for (const v of vals) {
      const m = DMY_RE.exec(v)!;
      if (Number(m[1]) > 12) firstOver12 = true;
      if (Number(m[2]) > 12) secondOver12 = true;
    }
    if (secondOver12 && !firstOver12) return { format: 'mdy', note: 'dates read as month/day/year (a day field above 12 decides)' };
    if (firstOver12) return { format: 'dmy', note: 'dates read as day/month/year (a day field above 12 decides)' };
    return { format: 'dmy', note: 'dates read as day/month/year: no field above 12 tells day from month; pass --date-format mdy if they are month-first' };
  }
  return null;
}

function digits(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = s.charCodeAt(i + k) - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return v;
}

/** Parse `HH:MM[:SS[.fff]]` starting at i; returns ms of day or NaN, and the index after it via out[0]. */
function timeOfDay(s: string, i: number, out: number[]): number {
  const n = s.length;
  let j = i;
  let h = 0;
  let hd = 0;
  while (j < n && s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57 && hd < 2) {
    h = h * 10 + (s.charCodeAt(j) - 48);
    j++;
    hd++;
  }
  if (hd === 0 || s.charCodeAt(j) !== 58) return NaN;
  const mi = digits(s, j + 1, 2);
  j += 3;
  let sec = 0;
  let frac = 0;
  if (s.charCodeAt(j) === 58) {
    sec = digits(s, j + 1, 2);
    j += 3;
    if (s.charCodeAt(j) === 46) {
      j++;
      let scale = 100;
      while (j < n) {
        const c = s.charCodeAt(j) - 48;
        if (c < 0 || c > 9) break;
        frac += c * scale;
        scale /= 10;
        j++;
      }
      frac = Math.round(frac);
    }
  }
  out[0] = j;
  if (!(h <= 23 && mi <= 59 && sec <= 60)) return NaN;
  return h * 3_600_000 + mi * 60_000 + sec * 1000 + frac;
}

function validDate(y: number, m: number, d: number): number {
  if (!(m >= 1 && m <= 12 && d >= 1 && d <= 31)) return NaN;
  const ms = Date.UTC(y, m - 1, d);
  // Reject 2021-02-30 and friends: Date.UTC would roll over.
  const dt = new Date(ms);
  if (dt.getUTCDate() !== d) return NaN;
  return ms;
}

const tmp = [0];

/** Parse one value with a known format. `res` is reused to avoid allocation. */
export function parseTimestamp(text: string, format: DateFormat, res: ParsedTime): ParsedTime {
  res.hasZone = false;
  res.ms = NaN;
  const s = text.length > 0 && (text.charCodeAt(0) === 32 || text.charCodeAt(text.length - 1) === 32) ? text.trim() : text;
  const n = s.length;
  if (n === 0) return res;
  switch (format) {
    case 'epoch_s':
    case 'epoch_ms': {
      const v = Number(s);
      if (!Number.isFinite(v)) return res;
      res.ms = format === 'epoch_s' ? v * 1000 : v;
      res.hasZone = true;
      return res;
    }
    case 'ymd8': {
      const day = validDate(digits(s, 0, 4), digits(s, 4, 2), digits(s, 6, 2));
      if (n === 8) {
        res.ms = day;
        return res;
      }
      if (s.charCodeAt(8) !== 32) return res;
      const t = timeOfDay(s, 9, tmp);
      if (tmp[0] !== n) return res;
      res.ms = day + t;
      return res;
    }
    case 'iso': {
      // YYYY-MM-DD with 1-2 digit month/day tolerated.
      const y = digits(s, 0, 4);
      const sep = s.charCodeAt(4);
      if (sep !== 45 && sep !== 47) return res;
      let j = 5;
      let m = 0;
      let k = 0;
      while (j < n && k < 2 && s.charCodeAt(j) !== sep) {
        m = m * 10 + (s.charCodeAt(j) - 48);
        j++;
        k++;
      }
      if (s.charCodeAt(j) !== sep) return res;
      j++;
      let d = 0;
      k = 0;
      while (j < n && k < 2 && s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57) {
        d = d * 10 + (s.charCodeAt(j) - 48);
        j++;
        k++;
      }
      const day = validDate(y, m, d);
      if (Number.isNaN(day)) return res;
      if (j === n) {
        res.ms = day;
        return res;
      }
      const c = s.charCodeAt(j);
      if (c !== 32 && c !== 84 && c !== 116) return res;
      const t = timeOfDay(s, j + 1, tmp);
      if (Number.isNaN(t)) return res;
      j = tmp[0];
      while (j < n && s.charCodeAt(j) === 32) j++;
      let off = 0;
      if (j < n) {
        const z = s.charCodeAt(j);
        if (z === 90 || z === 122) {
          j++;
          res.hasZone = true;
        } else if (z === 43 || z === 45) {
          const hh = digits(s, j + 1, 2);
          const colon = s.charCodeAt(j + 3) === 58 ? 1 : 0;
          const mm = digits(s, j + 3 + colon, 2);
          if (Number.isNaN(hh) || Number.isNaN(mm)) return res;
          off = (z === 45 ? -1 : 1) * (hh * 3_600_000 + mm * 60_000);
          j += 5 + colon;
          res.hasZone = true;
        }
        if (j !== n) return res;
      }
      res.ms = day + t - off;
      return res;
    }
    case 'dmy':
    case 'mdy': {
      const m = DMY_RE.exec(s);
      if (!m) return res;
      const a = Number(m[1]);
      const b = Number(m[2]);
      const y = Number(m[3]);
      const day = format === 'dmy' ? validDate(y, b, a) : validDate(y, a, b);
      if (Number.isNaN(day)) return res;
      if (!m[4]) {
        res.ms = day;
        return res;
      }
      const t = timeOfDay(m[4], 1, tmp);
      res.ms = day + t;
      return res;
    }
  }
}

/** Parse a time-of-day column value (`HH:MM[:SS]`); NaN when it doesn't parse. */
export function parseTimeOfDay(text: string): number {
  const s = text.trim();
  const t = timeOfDay(s, 0, tmp);
  return tmp[0] === s.length ? t : NaN;
}

export function looksLikeTime(text: string): boolean {
  return /^\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text.trim());
}
