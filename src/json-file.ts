/** A JSON settings file read and checked against a zod schema; every problem names the file (and the field). */
import fs from 'node:fs';
import type { z } from 'zod';
import { DataError, UsageError } from './errors.ts';

export function readJsonFile<T>(file: string, schema: z.ZodType<T>, flag: string, help?: string): T {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(`no such file: ${file}`, help ?? `${flag} takes a JSON file`);
    throw new DataError(`not valid JSON: ${(e as Error).message}`, { file });
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    const keys = (i as { keys?: string[] }).keys;
    const what = i.code === 'unrecognized_keys' && keys ? `unknown setting${keys.length === 1 ? '' : 's'} ${keys.join(', ')}` : i.message;
    throw new DataError(`${what}${r.error.issues.length > 1 ? ` (and ${r.error.issues.length - 1} more)` : ''}`, { file, field: i.path.join('.') || undefined });
  }
  return r.data;
}
