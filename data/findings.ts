/**
 * Validation findings. Every rule has a stable name; every finding names the file, the 1-based line (as an
 * editor shows it; the header is line 1), the field where one applies, and a severity.
 */
export type Severity = 'error' | 'warning' | 'info';

export const RULES = {
  // file-level / structure
  empty_file: 'error',
  binary_file: 'error',
  header_only: 'error',
  unknown_columns: 'error',
  bad_column_count: 'error',
  blank_line: 'warning',
  truncated_file: 'error',
  // field-level
  missing_field: 'error',
  non_numeric: 'error',
  bad_timestamp: 'error',
  // ordering
  unsorted_timestamp: 'error',
  duplicate_timestamp: 'error',
  future_timestamp: 'error',
  // OHLC consistency
  non_positive_price: 'error',
  high_below_open_close: 'error',
  low_above_open_close: 'error',
  high_below_low: 'error',
  negative_volume: 'error',
  zero_volume: 'warning',
  // statistical / time structure
  price_spike: 'warning',
  split_like_jump: 'warning',
  gap: 'warning',
  stale_bars: 'warning',
  mixed_timeframe: 'warning',
  leading_missing: 'info',
} as const satisfies Record<string, Severity>;

export type RuleName = keyof typeof RULES;

export interface Finding {
  rule: RuleName;
  severity: Severity;
  file: string;
  /** 1-based line in the source file; absent for whole-file findings. */
  line?: number;
  /** Row index in the parsed series (0-based), when the finding is about one bar. */
  row?: number;
  field?: string;
  message: string;
  /** What the import did about it: kept as is, dropped the row, or fixed a value. */
  action?: 'kept' | 'dropped' | 'fixed' | 'failed';
  /** For a fix: what the value became. */
  fixedTo?: string;
}

export function finding(rule: RuleName, file: string, message: string, extra: Partial<Finding> = {}): Finding {
  return { rule, severity: RULES[rule], file, message, ...extra };
}

export function formatFinding(f: Finding): string {
  const loc = `${f.file}${f.line !== undefined ? `:${f.line}` : ''}`;
  const field = f.field ? ` [${f.field}]` : '';
  const act = f.action && f.action !== 'kept' ? ` (${f.action}${f.fixedTo !== undefined ? ` → ${f.fixedTo}` : ''})` : '';
  return `${loc}: ${f.severity} ${f.rule}${field}: ${f.message}${act}`;
}

export function countBySeverity(fs: readonly Finding[]): Record<Severity, number> {
  const c = { error: 0, warning: 0, info: 0 };
  for (const f of fs) c[f.severity]++;
  return c;
}
