// Worker-thread body for multi-file imports (piscina's default export is the task handler).
import { processFile } from './importer.ts';

export default processFile;
