/**
 * The indicator and feature registry: every IndicatorSpec (indicators/ and the statistical, regime and calendar
 * features of features/), looked up by spec name or by feature name.
 *
 * Feature names are lower snake case `${output}_${params.join('_')}`: sma_20, macd_signal_12_26_9, bb_upper_20_2,
 * bb_upper_20_2.5, stoch_k_14_3_3, log_return_5. A spec without parameters is named by its output alone (obv,
 * hour_sin). Parameters are written as plain decimal numbers (`2.5`, `0.02`; exponents are accepted when parsing but
 * never produced).
 *
 * Parsing (parseFeatureName) is unambiguous: output names are unique across all specs (checked when this module
 * loads); the output is the longest output name that is the whole feature name or is followed by `_`; the rest must
 * be exactly one `_`-separated number per parameter. One shorthand: a bare output name of a spec WITH parameters
 * means its defaults (`rsi` = `rsi_14`, `macd_signal` = `macd_signal_12_26_9`); a partial list (`macd_12`) is an
 * error, never silently completed. Parameters are checked against the spec's min / max / integer rules.
 *
 * Every feature has one canonical name (canonicalFeatureName): the output plus every parameter, numbers in their
 * shortest form, so `rsi`, `rsi_14` and `rsi_14.0` are one feature.
 */
import { UsageError, nearest } from '../../src/errors.ts';
import { CALENDAR_FEATURES } from '../features/calendar.ts';
import { DEFAULT_FEATURE_NAMES } from '../features/default-set.ts';
import { REGIME_FEATURES } from '../features/regimes.ts';
import { STAT_FEATURES } from '../features/stats.ts';
import { MOMENTUM_INDICATORS } from './momentum.ts';
import { TREND_INDICATORS } from './trend.ts';
import type { IndicatorSpec, ParamSpec } from './types.ts';
import { VOLATILITY_INDICATORS } from './volatility.ts';
import { VOLUME_INDICATORS } from './volume.ts';

/** The classic indicators (indicators/): trend, momentum, volatility, volume. */
export const INDICATOR_SPECS: readonly IndicatorSpec[] = [...TREND_INDICATORS, ...MOMENTUM_INDICATORS, ...VOLATILITY_INDICATORS, ...VOLUME_INDICATORS];

/** The features of features/: statistical, regime, calendar. */
export const FEATURE_SPECS: readonly IndicatorSpec[] = [...STAT_FEATURES, ...REGIME_FEATURES, ...CALENDAR_FEATURES];

/** Every spec, indicators first. */
export const ALL_SPECS: readonly IndicatorSpec[] = [...INDICATOR_SPECS, ...FEATURE_SPECS];

/** A parameter token in a feature name. */
const NUM = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

const BY_NAME = new Map<string, IndicatorSpec>();
/** output name → [spec, output index] */
const BY_OUTPUT = new Map<string, { spec: IndicatorSpec; output: number }>();

for (const s of ALL_SPECS) {
  if (BY_NAME.has(s.name)) throw new Error(`indicator registry: two specs are named "${s.name}"`);
  BY_NAME.set(s.name, s);
  s.outputs.forEach((o, i) => {
    const prev = BY_OUTPUT.get(o);
    if (prev) throw new Error(`indicator registry: output "${o}" of ${s.name} is also an output of ${prev.spec.name}`);
    // A part that is a number would make `${output}_${params}` ambiguous (is `x_5_10` output x_5 with 10, or x?).
    if (!/^[a-z0-9]+(_[a-z0-9]+)*$/.test(o) || o.split('_').some((part) => NUM.test(part))) {
      throw new Error(`indicator registry: output "${o}" of ${s.name} must be lower snake case with no part that is a number`);
    }
    BY_OUTPUT.set(o, { spec: s, output: i });
  });
}

/** Output names, longest first (the parse tries them in this order). */
const OUTPUTS_LONGEST_FIRST = [...BY_OUTPUT.keys()].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));

/** The spec with this name (e.g. 'bb', 'macd'), or undefined. */
export function specByName(name: string): IndicatorSpec | undefined {
  return BY_NAME.get(name);
}

/** The spec with this output name (e.g. 'bb_upper' → bb), or undefined. */
export function specByOutput(output: string): { spec: IndicatorSpec; output: number } | undefined {
  return BY_OUTPUT.get(output);
}

/** A parameter as written in a feature name: shortest round-trip decimal, never an exponent. */
export function formatParam(v: number): string {
  let s = String(v);
  if (/e/i.test(s)) {
    // 1e-7 → 0.0000001; 1e21 → 1000000000000000000000
    s = v.toFixed(20).replace(/\.?0+$/, '');
  }
  return s;
}

/** The feature name for a spec output and parameters (not validated). */
export function featureName(output: string, params: readonly number[]): string {
  return params.length === 0 ? output : `${output}_${params.map(formatParam).join('_')}`;
}

/** The names of every output of a spec at these parameters (defaults when omitted). */
export function specFeatureNames(spec: IndicatorSpec, params: readonly number[] = spec.params.map((p) => p.default)): string[] {
  return spec.outputs.map((o) => featureName(o, params));
}

export interface ParsedFeature {
  /** The name as given. */
  name: string;
  /** The canonical name: output and every parameter (`rsi` → `rsi_14`). */
  canonical: string;
  spec: IndicatorSpec;
  /** Output name and its index in spec.outputs. */
  output: string;
  outputIndex: number;
  /** Resolved parameters (every one, checked). */
  params: number[];
  /** Key of the (spec, params) computation shared by all outputs: `${spec.name}(${params})`. */
  key: string;
}

function paramList(ps: readonly ParamSpec[]): string {
  return ps.map((p) => p.name).join(', ');
}

function checkParam(feature: string, spec: IndicatorSpec, p: ParamSpec, v: number): void {
  const where = `${feature}: ${spec.name} parameter ${p.name}`;
  if (!Number.isFinite(v)) throw new UsageError(`${where} must be a finite number, got ${v}`);
  if (p.int && !Number.isInteger(v)) throw new UsageError(`${where} must be an integer, got ${formatParam(v)}`);
  if (p.min !== undefined && v < p.min) throw new UsageError(`${where} must be >= ${formatParam(p.min)}, got ${formatParam(v)}`);
  if (p.max !== undefined && v > p.max) throw new UsageError(`${where} must be <= ${formatParam(p.max)}, got ${formatParam(v)}`);
}

let suggestions: string[] | undefined;
/** What a misspelt name is compared with: the default set, and every output bare and at its defaults. */
function suggestionPool(): string[] {
  if (!suggestions) {
    const set = new Set<string>(DEFAULT_FEATURE_NAMES);
    for (const s of ALL_SPECS) {
      for (const o of s.outputs) set.add(o);
      for (const n of specFeatureNames(s)) set.add(n);
    }
    suggestions = [...set];
  }
  return suggestions;
}

function unknownName(name: string, why: string): UsageError {
  const near = nearest(name, suggestionPool());
  return new UsageError(`unknown feature "${name}": ${why}`, near ? `did you mean ${near}? (alphatrade features list shows every indicator)` : 'alphatrade features list shows every indicator and its parameters');
}

const parseCache = new Map<string, ParsedFeature>();

/**
 * Parse a feature name into spec, output and checked parameters. Throws UsageError (exit code 2) with the nearest
 * valid name for an unknown name, and a precise message for a wrong parameter count or value.
 */
export function parseFeatureName(name: string): ParsedFeature {
  const hit = parseCache.get(name);
  if (hit) return hit;
  const parsed = parseUncached(name);
  if (parseCache.size > 10_000) parseCache.clear();
  parseCache.set(name, parsed);
  return parsed;
}

function parseUncached(name: string): ParsedFeature {
  if (typeof name !== 'string' || name.trim() === '') throw new UsageError('empty feature name', 'alphatrade features list shows every indicator');
  const n = name.trim();
  let firstErr: UsageError | undefined;
  for (const out of OUTPUTS_LONGEST_FIRST) {
    if (!n.startsWith(out)) continue;
    if (n.length !== out.length && n[out.length] !== '_') continue;
    const { spec, output } = BY_OUTPUT.get(out)!;
    const rest = n.slice(out.length + 1);
    let params: number[];
    if (n.length === out.length) {
      params = spec.params.map((p) => p.default);
    } else {
      const toks = rest.split('_');
      if (!toks.every((t) => NUM.test(t))) {
        firstErr ??= unknownName(n, `"${out}" is followed by "${rest}", which is not a list of numbers`);
        continue;
      }
      params = toks.map(Number);
      if (params.length !== spec.params.length) {
        const ex = specFeatureNames(spec)[output];
        firstErr ??= new UsageError(
          spec.params.length === 0
            ? `feature "${n}": ${out} takes no parameters`
            : `feature "${n}": ${out} takes ${spec.params.length} parameter${spec.params.length === 1 ? '' : 's'} (${paramList(spec.params)}), got ${params.length}`,
          `write e.g. ${ex}${spec.params.length ? ` (or ${out} alone for the defaults)` : ''}`,
        );
        continue;
      }
    }
    spec.params.forEach((p, i) => checkParam(n, spec, p, params[i]));
    const canonical = featureName(out, params);
    return { name, canonical, spec, output: out, outputIndex: output, params, key: `${spec.name}(${params.map(formatParam).join(',')})` };
  }
  throw firstErr ?? unknownName(n, 'no indicator has this output name');
}

/** The canonical name of a feature (`rsi` → `rsi_14`, `bb_upper_20_2.0` → `bb_upper_20_2`). */
export function canonicalFeatureName(name: string): string {
  return parseFeatureName(name).canonical;
}

/** The largest lookback (warm-up bars) over the features. */
export function maxLookback(names: readonly string[]): number {
  let w = 0;
  for (const n of names) {
    const f = parseFeatureName(n);
    w = Math.max(w, f.spec.lookback(f.params));
  }
  return w;
}
