/** A small typed event bus: the engine publishes, views and the CLI subscribe. */
export type Listener<T> = (payload: T) => void;

export class EventBus<Events extends Record<string, unknown>> {
  private listeners = new Map<keyof Events, Set<Listener<never>>>();

  on<K extends keyof Events>(type: K, fn: Listener<Events[K]>): () => void {
    let set = this.listeners.get(type);
    if (!set) {
      set = new Set();
      this.listeners.set(type, set);
    }
    set.add(fn as Listener<never>);
    return () => this.off(type, fn);
  }

  once<K extends keyof Events>(type: K, fn: Listener<Events[K]>): () => void {
    const off = this.on(type, (p) => {
      off();
      fn(p);
    });
    return off;
  }

  off<K extends keyof Events>(type: K, fn: Listener<Events[K]>): void {
    this.listeners.get(type)?.delete(fn as Listener<never>);
  }

  emit<K extends keyof Events>(type: K, payload: Events[K]): void {
    const set = this.listeners.get(type);
    if (!set) return;
    for (const fn of [...set]) (fn as Listener<Events[K]>)(payload);
  }

  listenerCount(type: keyof Events): number {
    return this.listeners.get(type)?.size ?? 0;
  }
}

/** Progress of a long job: `done` of `total` units (total 0 = unknown), with a short phase label. */
export interface ProgressEvent {
  job: string;
  phase: string;
  done: number;
  total: number;
  message?: string;
  /** structured detail for panes (a training round's losses, a search trial's result) */
  detail?: Record<string, unknown>;
}

export type ProgressFn = (e: ProgressEvent) => void;
export const noProgress: ProgressFn = () => {};
