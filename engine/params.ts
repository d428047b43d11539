/**
 * Strategy parameters: defaults, `--param k=v` parsing and range checks, all from the strategy's one declaration.
 */
import { nearest, UsageError } from '../src/errors.ts';
import type { ParamValues, Strategy, StrategyParamSpec } from './strategy.ts';

export function defaultParams(s: Strategy): ParamValues {
  const out: ParamValues = {};
  for (const [k, p] of Object.entries(s.params)) out[k] = p.default;
  return out;
}

/** Parse one value for a parameter (from the CLI or the editor) and check its range; throws UsageError. */
export function parseParamValue(strategy: string, name: string, spec: StrategyParamSpec, raw: string | number | boolean): number | boolean | string {
  const where = `${strategy}: parameter ${name}`;
  let v: number | boolean | string;
  switch (spec.type) {
    case 'int':
    case 'float': {
      const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
      if (String(raw).trim() === '' || !Number.isFinite(n)) throw new UsageError(`${where} must be a number, got '${raw}'`);
      if (spec.type === 'int' && !Number.isInteger(n)) throw new UsageError(`${where} must be a whole number, got '${raw}'`);
      if (spec.min !== undefined && n < spec.min) throw new UsageError(`${where} must be ≥ ${spec.min}, got ${n}`);
      if (spec.max !== undefined && n > spec.max) throw new UsageError(`${where} must be ≤ ${spec.max}, got ${n}`);
      v = n;
      break;
    }
    case 'bool': {
      if (typeof raw === 'boolean') v = raw;
      else {
        const t = String(raw).trim().toLowerCase();
        if (['true', '1', 'yes', 'on'].includes(t)) v = true;
        else if (['false', '0', 'no', 'off'].includes(t)) v = false;
        else throw new UsageError(`${where} must be true or false, got '${raw}'`);
      }
      break;
    }
    case 'string': {
      v = String(raw);
      if (spec.choices && !spec.choices.includes(v)) throw new UsageError(`${where} must be one of ${spec.choices.join(', ')}, got '${raw}'`);
      break;
    }
  }
  return v;
}

/**
 * Resolve parameters: defaults overridden by `overrides` (already split into name → raw value). Unknown names are
 * errors with the nearest known name.
 */
export function resolveParams(s: Strategy, overrides: Record<string, string | number | boolean> = {}): ParamValues {
  const out = defaultParams(s);
  const names = Object.keys(s.params);
  for (const [k, raw] of Object.entries(overrides)) {
    const spec = s.params[k];
    if (!spec) {
      const near = nearest(k, names);
      throw new UsageError(`${s.name} has no parameter '${k}'${near ? ` (did you mean ${near}?)` : ''}; its parameters: ${names.join(', ') || '(none)'}`);
    }
    out[k] = parseParamValue(s.name, k, spec, raw);
  }
  return out;
}

/** `['fast=10', 'slow=30']` → { fast: '10', slow: '30' } */
export function splitParamArgs(args: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of args) {
    for (const part of a.split(',')) {
      if (part.trim() === '') continue;
      const eq = part.indexOf('=');
      if (eq <= 0) throw new UsageError(`--param takes name=value, got '${part}'`);
      out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
    }
  }
  return out;
}

/** A number parameter's value (for strategies' own use; throws if the declaration and value disagree). */
export function num(p: ParamValues, k: string): number {
  const v = p[k];
  if (typeof v !== 'number') throw new TypeError(`parameter ${k} is not a number`);
  return v;
}
export function bool(p: ParamValues, k: string): boolean {
  const v = p[k];
  if (typeof v !== 'boolean') throw new TypeError(`parameter ${k} is not a boolean`);
  return v;
}
export function str(p: ParamValues, k: string): string {
  const v = p[k];
  if (typeof v !== 'string') throw new TypeError(`parameter ${k} is not a string`);
  return v;
}
