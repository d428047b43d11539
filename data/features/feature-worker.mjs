// Worker-thread entry for computeUniverse (piscina): registers tsx, then computes one symbol's features and returns
// the columns with their buffers transferred (not copied) back to the main thread.
import { Piscina } from 'piscina';
import { register } from 'tsx/esm/api';

register();
const { runFeatureTask, transferablesOf } = await import('./pipeline.ts');

export default function featureTask(task) {
  const result = runFeatureTask(task);
  const buffers = transferablesOf(result);
  return Piscina.move({
    get [Piscina.transferableSymbol]() {
      return buffers;
    },
    get [Piscina.valueSymbol]() {
      return result;
    },
  });
}
