import type { Key as InkKey } from 'ink';

/** Ink's key flags plus the typed input, as one object handlers can take. */
export type Key = InkKey & { input: string };
