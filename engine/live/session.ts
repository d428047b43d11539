/**
 * A paper-trading session: the backtest's event kernel (engine/backtest.ts) stepped by a clock over a feed, with the
 * kernel's own matching as the paper broker (the backtester's fill, slippage and commission models: replaying stored
 * bars gives exactly the backtest's fills), and every order and broker event written to the journal.
 *
 * Feed: stored bars replayed at 1× (a bar per bar duration of wall time), N× or as fast as possible ('max').
 *
 * Crash safety: an order's intent is committed to the journal (synchronous=FULL) in the same call that puts it in
 * the paper broker's book, before it can be matched; fills and ends are committed as they happen. The kernel is
 * deterministic, so `resume` rebuilds a session by replaying it from its first bar with the journal as the record:
 * up to the last bar the journal saw, every order and fill is found in it by its client_order_id (never recorded or
 * sent twice); one the crash cut off between the kernel and the journal is recorded then; manual requests from the
 * blotter are re-applied at the bar that took them. Then the session goes on from where it stopped.
 */
import type { BarSeries } from '../../src/types.ts';
import type { BacktestConfig, OrderEvents } from '../backtest.ts';
import { steppedEngine } from '../backtest.ts';
import { mergeTimes } from '../backtest.ts';
import { isOpen as isOpenStatus, type SimOrder } from '../orders.ts';
import type { OrderRequest } from '../strategy.ts';
import { Journal, type RequestRow } from './journal.ts';
import { childEnded, childFilled, nextChild, startAlgo, type AlgoKind, type AlgoState } from './algos.ts';
import { BrokerRejection, type Broker, type BrokerUpdate } from './alpaca.ts';

export interface SessionOptions {
  journal: Journal;
  cfg: BacktestConfig;
  /** bar duration in ms (pacing) */
  barMs: number;
  /** 'max' or a multiple of real time */
  speed: 'max' | number;
  /** stop (resumable) after this much wall time */
  durationMs?: number;
  /** replay up to (and including) this bar time from the journal before trading on (resume) */
  resumeThrough?: number | null;
  signal?: AbortSignal;
  /** polled about once a second outside replay: when it turns on, every working order is canceled */
  killSwitch?: () => boolean;
  /** progress about every 250 ms */
  onProgress?: (p: SessionProgress) => void;
  /**
   * latency of each order from the start of its bar's step: to the strategy's decision (the order accepted into the
   * book) and to its intent committed in the journal (when a real broker would be sent it)
   */
  onLatency?: (decisionMs: number, committedMs: number) => void;
  /**
   * An external broker (Alpaca): orders go to it after their intent is committed, its fills and ends come back on
   * its stream and are booked at the next step; on resume the journal's fills are replayed at their bars and the
   * broker is reconciled by client_order_id (an order it never received is sent then, once).
   */
  broker?: Broker;
  /** market hours (an external broker): orders placed while the market is closed are held and sent at the open */
  hours?: { isOpen(t: number): boolean; nextOpen(t: number): number | null };
  /** wall clock for market hours (tests) */
  now?: () => number;
  /** a live feed of bar times (the series grow as bars arrive): the stored bars before it are warm-up */
  live?: { next(): Promise<number | null> };
  /** resume of a live-feed session: its first live bar (trading starts there; earlier bars are warm-up) */
  liveFrom?: number | null;
  /** after each step (tests place requests at a chosen bar) */
  onStep?: (step: number, t: number) => void;
  /** how long to wait for the next bar (tests inject a fake clock) */
  sleep?: (ms: number) => Promise<void>;
}

export interface SessionProgress {
  bars: number;
  total: number;
  t: number;
  equity: number;
  orders: number;
  fills: number;
}

export interface SessionResult {
  status: 'finished' | 'stopped';
  bars: number;
  last_bar_ts: number | null;
  orders: number;
  fills: number;
  equity: number;
  cash: number;
  /** an external broker: its positions that differ from the session's at the end (symbol, broker, session) */
  position_mismatches: { symbol: string; broker: number; session: number }[];
  /** resume: bars replayed from the journal, orders and fills that were already recorded, ones recorded now */
  replay: { bars: number; known_orders: number; known_fills: number; recorded_orders: number; recorded_fills: number } | null;
}

const cidOf = (session: string, o: Readonly<SimOrder>) => `${session}-${o.id}`;

export async function runSession(o: SessionOptions): Promise<SessionResult> {
  const j = o.journal;
  const session = j.session;
  // the bar times so far (a live series has unfilled NaN slots at its end)
  const times = mergeTimes(
    o.cfg.series.map((x) => {
      let n = x.ts.length;
      while (n > 0 && !(x.ts[n - 1] === x.ts[n - 1])) n--;
      return n === x.ts.length ? x : { ...x, ts: x.ts.subarray(0, n) };
    }),
  );
  const seqs = new Map<string, number>();
  let manual = false;
  let stepStart = 0;
  /** execution algorithms: working parents, and each child's parent */
  const algos: AlgoState[] = [];
  const parentOf = new Map<string, AlgoState>();
  const notional = new Map<string, number>();
  let placingFor: AlgoState | null = null;
  const parentState = (a: AlgoState) => ({ status: a.status === 'working' ? (a.filled > 0 ? 'partially_filled' : 'working') : a.status, filled_qty: a.filled, avg_price: a.filled > 0 ? (notional.get(a.id) ?? 0) / a.filled : null, reason: a.note || null, qty: a.qty, side: a.side });
  let replaying = false;
  const counts = { orders: 0, fills: 0, knownOrders: 0, knownFills: 0, newOrders: 0, newFills: 0 };
  const stateOf = (x: Readonly<SimOrder>, status: string) => ({ status, filled_qty: x.filledQty, avg_price: x.filledQty > 0 ? x.avgFillPrice : null, reason: x.endReason ?? null, qty: Number.isFinite(x.qty) && x.qty > 0 ? x.qty : null, side: x.side });
  const nextSeq = (cid: string) => {
    const k = (seqs.get(cid) ?? 0) + 1;
    seqs.set(cid, k);
    return k;
  };
  const events: OrderEvents = {
    placed(x, t) {
      const t0 = o.onLatency ? performance.now() : 0;
      const cid = cidOf(session, x);
      counts.orders++;
      seqs.set(cid, 0);
      if (placingFor) parentOf.set(cid, placingFor);
      const added = j.intent({ client_order_id: cid, symbol: x.symbol, side: x.side, type: x.type, qty: Number.isFinite(x.qty) && x.qty > 0 ? x.qty : null, limit_price: x.limitPrice ?? null, stop_price: x.stopPrice ?? null, tif: x.tif, parent_id: placingFor ? placingFor.id : x.parentId ? `${session}-${x.parentId}` : null, source: placingFor ? 'algo' : manual ? 'manual' : 'strategy', bar_ts: t });
      if (replaying) added ? counts.newOrders++ : counts.knownOrders++;
      if (o.onLatency) o.onLatency(t0 - stepStart, performance.now() - stepStart);
      j.event({ client_order_id: cid, seq: 0, type: 'new', bar_ts: t }, stateOf(x, 'working'));
      if (o.broker && !replaying && replacing) {
        // the kernel replaced an order: one PATCH at the broker (the new order keeps its own client_order_id)
        const r = replacing;
        replacing = null;
        const p = o.broker
          .replace(r.brokerId, { qty: x.qty, limit_price: x.limitPrice, stop_price: x.stopPrice, client_order_id: cid })
          .then((bo) => brokerIds.set(x.id, bo.id))
          .catch((e: unknown) => inbox.push({ kind: 'end', id: x.id, status: 'rejected', detail: `replace refused: ${e instanceof BrokerRejection ? `${e.status} ${e.message}` : String((e as Error).message ?? e)}` }))
          .finally(() => inflight.delete(p));
        inflight.add(p);
      } else if (o.broker && !replaying) {
        const now = (o.now ?? Date.now)();
        if (o.hours && !o.hours.isOpen(now)) {
          // held: the intent is recorded; it goes to the broker at the open
          held.push(x);
          const at = o.hours.nextOpen(now);
          j.event({ client_order_id: cid, seq: nextSeq(cid), type: 'held', bar_ts: t, detail: `market closed${at !== null ? `: sent at the open ${new Date(at).toISOString()}` : ''}` }, stateOf(x, 'working'));
        } else send(x);
      }
    },
    filled(x, q, price, fee, t) {
      const cid = cidOf(session, x);
      counts.fills++;
      const done = x.filledQty + q >= x.qty - 1e-9;
      // the kernel updates the order after this call: state as it will be
      const filled = x.filledQty + q;
      const avg = (x.avgFillPrice * x.filledQty + price * q) / filled;
      const added = j.event({ client_order_id: cid, seq: nextSeq(cid), type: done ? 'fill' : 'partial_fill', qty: q, price, commission: fee, bar_ts: t }, { status: done ? 'filled' : 'partially_filled', filled_qty: filled, avg_price: avg, reason: null, qty: x.qty, side: x.side });
      if (replaying) added ? counts.newFills++ : counts.knownFills++;
      const a = parentOf.get(cid);
      if (a) {
        childFilled(a, q);
        notional.set(a.id, (notional.get(a.id) ?? 0) + q * price);
        j.event({ client_order_id: a.id, seq: nextSeq(a.id), type: a.status === 'filled' ? 'fill' : 'partial_fill', qty: q, price, commission: fee, bar_ts: t, detail: `child ${cid}` }, parentState(a));
      }
    },
    ended(x, t) {
      const cid = cidOf(session, x);
      if (placingFor && !parentOf.has(cid)) parentOf.set(cid, placingFor);
      if (!seqs.has(cid)) {
        // refused before it entered the book (risk, validation): recorded with its end
        seqs.set(cid, 0);
        j.intent({ client_order_id: cid, symbol: x.symbol, side: x.side, type: x.type, qty: Number.isFinite(x.qty) && x.qty > 0 ? x.qty : null, limit_price: x.limitPrice ?? null, stop_price: x.stopPrice ?? null, tif: x.tif, parent_id: placingFor ? placingFor.id : null, source: placingFor ? 'algo' : manual ? 'manual' : 'strategy', bar_ts: t });
      }
      // a rejection is recorded structured: reason, and for a risk limit its rule, limit and value
      const rj = engine.rejectionOf(x.id);
      const detail = rj ? JSON.stringify({ reason: rj.reason, rule: rj.rule ?? null, limit: rj.limit ?? null, value: rj.value ?? null, detail: rj.detail }) : x.endReason;
      j.event({ client_order_id: cid, seq: nextSeq(cid), type: x.status, bar_ts: t, detail }, rj?.rule ? { ...stateOf(x, x.status), reason: rj.rule } : stateOf(x, x.status));
      // canceled here (the strategy, the blotter, the kill switch): cancel it at the broker too
      const bid = brokerIds.get(x.id);
      if (o.broker && !bid && x.endReason !== 'broker' && !replaying && submitted.has(x.id)) cancelWhenKnown.add(x.id);
      if (o.broker && bid && x.endReason === 'replaced' && !replaying) replacing = { brokerId: bid };
      else if (o.broker && bid && x.endReason !== 'broker' && !replaying) {
        const p = o.broker.cancel(bid).catch(() => undefined).finally(() => inflight.delete(p));
        inflight.add(p);
      }
      const a = parentOf.get(cid);
      if (a) {
        const was = a.status;
        childEnded(a, Math.max(0, (Number.isFinite(x.qty) ? x.qty : 0) - x.filledQty));
        if (a.status !== was) j.event({ client_order_id: a.id, seq: nextSeq(a.id), type: a.status, bar_ts: t, detail: a.note }, parentState(a));
      }
    },
  };
  const engine = steppedEngine({ ...o.cfg, events, external: !!o.broker });
  const pf = engine.portfolio;
  const symbols = o.cfg.series.map((s) => s.symbol);
  const taken = new Map<number, RequestRow[]>();
  if (o.resumeThrough != null) for (const r of j.takenRequests()) taken.set(r.taken_bar_ts!, [...(taken.get(r.taken_bar_ts!) ?? []), r]);

  const apply = (r: RequestRow, t: number): string => {
    const body = JSON.parse(r.body) as { symbol?: string; side?: 'buy' | 'sell'; qty?: number; limit?: number; id?: string; algo?: AlgoKind; slices?: number; clip?: number };
    manual = true;
    try {
      switch (r.kind) {
        case 'order': {
          const s = symbols.indexOf(body.symbol ?? '');
          if (s < 0) return `rejected: ${body.symbol} is not traded in this session (${symbols.join(', ')})`;
          if (body.algo) {
            const S = o.cfg.series[s];
            const i = engine.count(s) - 1;
            if (i < 0) return `rejected: no bar of ${body.symbol} yet`;
            const id = `${session}-a${algos.length + 1}`;
            const a = startAlgo(id, s, S, i, body.side!, body.qty!, { kind: body.algo, slices: body.slices, clip: body.clip, limit: body.limit });
            algos.push(a);
            seqs.set(id, 0);
            j.intent({ client_order_id: id, symbol: a.symbol, side: a.side, type: a.kind, qty: a.qty, limit_price: body.limit ?? null, stop_price: null, tif: 'gtc', parent_id: null, source: 'manual', bar_ts: t });
            j.event({ client_order_id: id, seq: 0, type: 'new', bar_ts: t, detail: a.note || undefined }, parentState(a));
            return `working ${id} (${a.kind}${a.note ? `: ${a.note}` : ''})`;
          }
          const req: OrderRequest = { side: body.side!, qty: body.qty, ...(body.limit !== undefined ? { type: 'limit', limitPrice: body.limit } : {}) };
          const id = engine.placeExternal(s, req);
          return `placed ${session}-${id}`;
        }
        case 'cancel': {
          const a = algos.find((x) => x.id === body.id);
          if (a) {
            a.status = 'canceled';
            a.plan = [];
            for (const c of engine.openOrders()) if (parentOf.get(cidOf(session, c as unknown as SimOrder)) === a) engine.cancel(c.id);
            j.event({ client_order_id: a.id, seq: nextSeq(a.id), type: 'canceled', bar_ts: t, detail: 'canceled' }, parentState(a));
            return `cancel ${body.id}`;
          }
          const id = (body.id ?? '').replace(`${session}-`, '');
          engine.cancel(id);
          return `cancel ${body.id}`;
        }
        case 'cancel_all':
          for (const x of engine.openOrders()) engine.cancel(x.id);
          return 'canceled all';
        case 'flatten':
          for (const x of engine.openOrders()) engine.cancel(x.id);
          symbols.forEach((_, s) => {
            if (pf.pos[s] !== 0) engine.placeExternal(s, { side: pf.pos[s] > 0 ? 'sell' : 'buy', qty: Math.abs(pf.pos[s]) });
          });
          return 'flattening';
        case 'stop':
          return 'stopping';
      }
    } finally {
      manual = false;
    }
  };

  // ---- the external broker: sends, its updates (booked at the next step), reconciliation after a replay
  const inbox: { kind: 'fill' | 'end'; id: string; qty?: number; price?: number; status?: 'canceled' | 'rejected' | 'expired'; detail?: string }[] = [];
  const inflight = new Set<Promise<unknown>>();
  /** kernel order id → the broker's order id (to cancel or replace there) */
  const brokerIds = new Map<string, string>();
  /** an order the kernel is replacing: its replacement is sent as a PATCH */
  let replacing: { brokerId: string } | null = null;
  /** orders sent to the broker, and those ended here before the broker's id was known */
  const submitted = new Set<string>();
  const cancelWhenKnown = new Set<string>();
  /** orders held while the market is closed (sent at the open, in the order they were placed) */
  const held: Readonly<SimOrder>[] = [];
  const releaseHeld = () => {
    if (!held.length || (o.hours && !o.hours.isOpen((o.now ?? Date.now)()))) return;
    for (const x of held.splice(0)) if (isOpenStatus(x.status)) send(x);
  };
  const kernelId = (cid: string) => (cid.startsWith(`${session}-`) ? cid.slice(session.length + 1) : null);
  const send = (x: Readonly<SimOrder>) => {
    const b = o.broker!;
    const cid = cidOf(session, x);
    submitted.add(x.id);
    const p = b
      .submit({ client_order_id: cid, symbol: x.symbol, side: x.side, qty: x.qty, type: x.type === 'limit' || x.type === 'stop' || x.type === 'stop_limit' ? x.type : 'market', limit_price: x.limitPrice, stop_price: x.stopPrice, time_in_force: x.tif === 'day' || x.tif === 'ioc' || x.tif === 'fok' ? x.tif : 'gtc' })
      .then((bo) => {
        brokerIds.set(x.id, bo.id);
        // ended here while its submission was in flight: cancel it now that the broker has it
        if (cancelWhenKnown.delete(x.id)) return b.cancel(bo.id).catch(() => undefined);
      })
      .catch((e: unknown) => inbox.push({ kind: 'end', id: x.id, status: 'rejected', detail: e instanceof BrokerRejection ? `${e.status} ${e.message}` : String((e as Error).message ?? e) }))
      .finally(() => inflight.delete(p));
    inflight.add(p);
  };
  const filledByBroker = new Map<string, number>();
  o.broker?.onUpdate((u: BrokerUpdate) => {
    const id = kernelId(u.order.client_order_id);
    if (!id) return;
    if ((u.event === 'fill' || u.event === 'partial_fill') && u.qty !== null && u.price !== null) {
      filledByBroker.set(id, u.order.filled_qty);
      inbox.push({ kind: 'fill', id, qty: u.qty, price: u.price });
    } else if (u.event === 'canceled' || u.event === 'rejected' || u.event === 'expired') inbox.push({ kind: 'end', id, status: u.event, detail: `broker: ${u.event}` });
  });
  const drain = () => {
    releaseHeld();
    while (inbox.length) {
      const m = inbox.shift()!;
      if (m.kind === 'fill') engine.externalFill(m.id, m.qty!, m.price!, 0);
      else engine.externalEnd(m.id, m.status!, m.detail);
    }
  };
  // resume with a broker: the journal's fills and ends, by the bar they were booked at
  const journaled = new Map<number, { cid: string; type: string; qty: number | null; price: number | null; detail: string | null }[]>();
  if (o.broker && o.resumeThrough != null) {
    for (const r of j.brokerOutcomes()) journaled.set(r.bar_ts, [...(journaled.get(r.bar_ts) ?? []), r]);
  }
  const replayJournal = (t: number) => {
    for (const e of journaled.get(t) ?? []) {
      const id = kernelId(e.cid);
      if (!id) continue;
      if (e.type === 'fill' || e.type === 'partial_fill') engine.externalFill(id, e.qty!, e.price!, 0);
      else engine.externalEnd(id, e.type as 'canceled' | 'rejected' | 'expired', e.detail ?? undefined);
    }
  };
  const reconcile = async () => {
    // orders open in the rebuilt book: the broker has them (apply what it filled since), or never got them (send now)
    const b = o.broker!;
    for (const x of engine.openOrders()) {
      const cid = `${session}-${x.id}`;
      const bo = await b.orderByClientId(cid);
      if (!bo) {
        send(x as unknown as SimOrder);
        continue;
      }
      const missing = bo.filled_qty - x.filledQty;
      if (missing > 0 && bo.filled_avg_price !== null) engine.externalFill(x.id, missing, bo.filled_avg_price, 0);
      if (bo.status === 'canceled' || bo.status === 'rejected' || bo.status === 'expired') engine.externalEnd(x.id, bo.status, `broker: ${bo.status}`);
    }
  };

  engine.begin();
  const start = Date.now();
  let lastFlush = Date.now();
  let lastProgress = 0;
  let bars = 0;
  let replayBars = 0;
  let stop = false;
  let lastT: number | null = null;
  let lastKillCheck = 0;
  let killed = false;
  let reconciled = false;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((res) => setTimeout(res, ms)));
  const flush = () => {
    for (let s = 0; s < symbols.length; s++) if (pf.mark[s] === pf.mark[s]) j.mark(symbols[s], pf.mark[s], lastT ?? 0);
    j.flush(lastT ?? NaN, bars);
    lastFlush = Date.now();
  };
  const stepAt = async (t: number, step: number, last: boolean): Promise<void> => {
      if (o.broker && !replaying) {
        if (!reconciled && o.resumeThrough != null) {
          reconciled = true;
          await reconcile();
        }
        drain();
      }
      if (o.onLatency) stepStart = performance.now();
      engine.advance(t, last, step);
      if (o.broker && replaying) replayJournal(t);
      lastT = t;
      bars++;
      if (replaying) {
        replayBars++;
        for (const r of taken.get(t) ?? []) apply(r, t);
      } else {
        for (const r of j.takeRequests(t)) {
          j.answer(r.id, apply(r, t));
          if (r.kind === 'stop') stop = true;
        }
      }
      o.onStep?.(step, t);
      // execution algorithms place their children after the bar (they work from the next one)
      for (const a of algos) {
        if (a.status !== 'working' || engine.count(a.sym) === 0) continue;
        const S = o.cfg.series[a.sym];
        const c = nextChild(a, S.close[engine.count(a.sym) - 1]);
        if (!c) continue;
        placingFor = a;
        manual = true;
        try {
          a.working += c.qty;
          const id = engine.placeExternal(a.sym, { side: a.side, qty: c.qty, ...(c.type === 'limit' ? { type: 'limit', limitPrice: c.limitPrice } : {}) });
          a.children.push(`${session}-${id}`);
        } finally {
          placingFor = null;
          manual = false;
        }
      }
      j.equity(t, pf.equity(), pf.cash, pf.lastGross);
      const now = Date.now();
      if (!replaying && o.killSwitch && now - lastKillCheck > 1000) {
        lastKillCheck = now;
        const k = o.killSwitch();
        if (k && !killed) {
          // halt: the risk manager (tripped by the callback) refuses new exposure; working orders are canceled now
          manual = true;
          for (const x of engine.openOrders()) engine.cancel(x.id);
          manual = false;
        }
        killed = k;
      }
      if (!replaying && (now - lastFlush > 200 || o.speed !== 'max')) flush();
      if (o.onProgress && now - lastProgress > 250) {
        lastProgress = now;
        o.onProgress({ bars, total: times.length, t, equity: pf.equity(), orders: counts.orders, fills: counts.fills });
      }
  };
  // a live feed: the stored bars before it only warm the strategy and its indicators up (no orders)
  if (o.live) engine.setTradeFrom(o.liveFrom ?? Infinity);
  for (let step = 0; step < times.length && !stop; step++) {
    const t = times[step];
    replaying = o.resumeThrough != null && t <= o.resumeThrough;
    if (!replaying) {
      if (o.signal?.aborted) break;
      if (o.durationMs !== undefined && Date.now() - start >= o.durationMs) break;
      if (o.live) {
        if ((step & 1023) === 1023) await new Promise<void>((res) => setImmediate(res));
      } else if (o.speed !== 'max') await sleep(o.barMs / o.speed);
      else if ((step & 1023) === 1023) await new Promise<void>((res) => setImmediate(res));
    }
    await stepAt(t, step, !o.live && step === times.length - 1);
  }
  if (o.live && !stop) {
    // then bars as they arrive, until the feed closes, the duration ends, a stop request or an abort
    let step = times.length;
    let first = true;
    replaying = false;
    const deadline = o.durationMs !== undefined ? start + o.durationMs : Infinity;
    while (!stop && !o.signal?.aborted) {
      const wait = Math.min(1000, deadline - Date.now());
      if (wait <= 0) break;
      const t = await Promise.race([o.live.next(), new Promise<'tick'>((res) => setTimeout(() => res('tick'), wait))]);
      if (t === null) break;
      if (t === 'tick') {
        // no bar yet: still take requests (a stop) and keep the heartbeat
        for (const r of j.takeRequests(lastT ?? 0)) {
          j.answer(r.id, r.kind === 'stop' ? 'stopping' : 'waiting for the next bar');
          if (r.kind === 'stop') stop = true;
        }
        if (o.broker) drain();
        flush();
        continue;
      }
      if (first) {
        if (o.liveFrom == null) engine.setTradeFrom(t);
        first = false;
      }
      await stepAt(t, step++, false);
    }
  }
  if (o.broker) {
    // the last orders' outcomes: wait (a little) for sends and updates in flight
    const until = Date.now() + 3000;
    while ((inflight.size || inbox.length || engine.openOrders().length) && Date.now() < until) {
      await Promise.race([...inflight, new Promise((r) => setTimeout(r, 50))]);
      drain();
    }
  }
  // compare positions with the broker's (orders were reconciled by client_order_id; positions are checked)
  const position_mismatches: SessionResult['position_mismatches'] = [];
  if (o.broker) {
    try {
      const bp = new Map((await o.broker.positions()).map((p) => [p.symbol, p.qty]));
      symbols.forEach((sym, k) => {
        const b = bp.get(sym) ?? 0;
        if (Math.abs(b - pf.pos[k]) > 1e-9) position_mismatches.push({ symbol: sym, broker: b, session: pf.pos[k] });
      });
    } catch {
      /* the broker could not be asked: nothing to compare */
    }
  }
  const finished = !o.live && bars === times.length;
  if (finished) engine.finishStrategy();
  flush();
  j.setStatus(finished ? 'finished' : 'stopped');
  return {
    status: finished ? 'finished' : 'stopped',
    bars,
    last_bar_ts: lastT,
    orders: counts.orders,
    fills: counts.fills,
    equity: pf.equity(),
    cash: pf.cash,
    position_mismatches,
    replay: o.resumeThrough != null ? { bars: replayBars, known_orders: counts.knownOrders, known_fills: counts.knownFills, recorded_orders: counts.newOrders, recorded_fills: counts.newFills } : null,
  };
}

export type { BarSeries };
