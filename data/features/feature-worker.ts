// Worker-thread body for computeUniverse (piscina): computes one symbol's features and returns the columns with their
// buffers transferred (not copied) back to the main thread.
import { Piscina } from 'piscina';
import { runFeatureTask, transferablesOf, type FeatureTask } from './pipeline.ts';

export default function featureTask(task: FeatureTask) {
  const result = runFeatureTask(task);
  const buffers = transferablesOf(result);
  // Piscina's transferable wrapper: the buffers move to the main thread, the result object is what it receives.
  const movable = {
    get [Piscina.transferableSymbol]() {
      return buffers;
    },
    get [Piscina.valueSymbol]() {
      return result;
    },
  };
  return Piscina.move(movable as never);
}
