// Worker-thread entry for multi-file imports (piscina): registers tsx, then exposes processFile.
import { register } from 'tsx/esm/api';

register();
const { processFile } = await import('./importer.ts');
export default processFile;
