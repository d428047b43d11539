/**
 * Errors carry an exit code so the CLI never has to guess:
 *  - 2: usage (unknown command or flag, bad argument)
 *  - 1: a failure while running (bad data, missing symbol, I/O)
 */
export class AlphaError extends Error {
  readonly exitCode: number;
  readonly hint?: string;
  constructor(message: string, opts: { exitCode?: number; hint?: string; cause?: unknown } = {}) {
    super(message, opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.name = 'AlphaError';
    this.exitCode = opts.exitCode ?? 1;
    this.hint = opts.hint;
  }
}

export class UsageError extends AlphaError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: 2, hint });
    this.name = 'UsageError';
  }
}

/** Bad input data: names the file, the line (1-based, as an editor shows it) and the field. */
export class DataError extends AlphaError {
  readonly file?: string;
  readonly line?: number;
  readonly field?: string;
  constructor(message: string, where: { file?: string; line?: number; field?: string } = {}) {
    const loc = [where.file, where.line !== undefined ? `line ${where.line}` : undefined, where.field ? `field "${where.field}"` : undefined]
      .filter(Boolean)
      .join(', ');
    super(loc ? `${loc}: ${message}` : message, { exitCode: 1 });
    this.name = 'DataError';
    this.file = where.file;
    this.line = where.line;
    this.field = where.field;
  }
}

export class NotFoundError extends AlphaError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: 1, hint });
    this.name = 'NotFoundError';
  }
}

/** Edit distance, for "did you mean" suggestions. */
export function levenshtein(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev = new Array<number>(n + 1);
  let cur = new Array<number>(n + 1);
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[n];
}

/** The nearest of `candidates` to `word`, or undefined when none is close enough to be a plausible typo. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = c.startsWith(word) || word.startsWith(c) ? Math.min(levenshtein(word, c), 1) : levenshtein(word, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  const limit = Math.max(2, Math.floor(word.length / 3));
  return bestD <= limit ? best : undefined;
}
