/**
 * The broker interface of live sessions and its Alpaca implementation on @alpacahq/alpaca-trade-api 4 (REST and the
 * trade-updates stream).
 *
 * - Hosts: the paper endpoint unless `live`; base URLs from options, else Alpaca's own variables APCA_API_BASE_URL
 *   (trading REST), APCA_API_DATA_URL (market data REST) and APCA_API_STREAM_URL (trade-updates stream), else the
 *   SDK's defaults. The SDK has no base-URL option, so REST calls go through a `fetchApi` that moves each request to
 *   the configured origin (keeping path and query).
 * - Keys: APCA_API_KEY_ID / APCA_API_SECRET_KEY (or options); they never reach a log, an error or a result.
 * - Limits: the SDK's token bucket at 200 requests/minute and its retries (exponential backoff, Retry-After honoured)
 *   for idempotent requests on 408/425/429/5xx; an order POST is never retried by the transport — after an
 *   ambiguous failure the order is looked up by its client_order_id before anything is sent again.
 * - Stream: the SDK reconnects with backoff, re-authenticates and re-subscribes; its ping/pong (pingIntervalMs,
 *   pongWaitMs) is the watchdog for a silent socket. Every trade update becomes a `BrokerUpdate`.
 */
import { Alpaca, ApiError, TimeFrame, timeFrame, TimeFrameUnit } from '@alpacahq/alpaca-trade-api';

export type UpdateEvent = 'new' | 'partial_fill' | 'fill' | 'canceled' | 'rejected' | 'expired' | 'replaced' | 'pending_new' | 'accepted' | 'done_for_day' | 'pending_cancel' | 'pending_replace' | string;

export interface BrokerOrderRequest {
  client_order_id: string;
  symbol: string;
  side: 'buy' | 'sell';
  qty: number;
  type: 'market' | 'limit' | 'stop' | 'stop_limit';
  limit_price?: number;
  stop_price?: number;
  time_in_force?: 'day' | 'gtc' | 'ioc' | 'fok';
}

export interface BrokerOrder {
  id: string;
  client_order_id: string;
  symbol: string;
  side: string;
  qty: number;
  filled_qty: number;
  filled_avg_price: number | null;
  status: string;
  type: string;
}

export interface BrokerUpdate {
  event: UpdateEvent;
  order: BrokerOrder;
  /** this execution's price and quantity (fills) */
  price: number | null;
  qty: number | null;
  timestamp: string | null;
}

export interface BrokerAccount {
  cash: number;
  equity: number;
  buying_power: number;
  status: string;
}

export interface BrokerPosition {
  symbol: string;
  qty: number;
  avg_entry_price: number;
  market_value: number | null;
}

/** What a live session needs from a broker. */
export interface Broker {
  submit(o: BrokerOrderRequest): Promise<BrokerOrder>;
  cancel(orderId: string): Promise<void>;
  /** change a working order; the broker gives it a new id, and `client_order_id` names the new one */
  replace(orderId: string, changes: { qty?: number; limit_price?: number; stop_price?: number; client_order_id?: string }): Promise<BrokerOrder>;
  account(): Promise<BrokerAccount>;
  positions(): Promise<BrokerPosition[]>;
  openOrders(): Promise<BrokerOrder[]>;
  orderByClientId(clientOrderId: string): Promise<BrokerOrder | null>;
  onUpdate(fn: (u: BrokerUpdate) => void): void;
  connect(): Promise<void>;
  close(): Promise<void>;
}

/** A submission the broker refused (structured: the session records it as a rejection). */
export class BrokerRejection extends Error {
  constructor(
    readonly status: number,
    readonly code: number | string | undefined,
    message: string,
  ) {
    super(message);
  }
}

export interface AlpacaOptions {
  keyId?: string;
  secret?: string;
  /** live trading (default: paper) */
  live?: boolean;
  baseUrl?: string;
  dataUrl?: string;
  streamUrl?: string;
  /** market-data stream URL (default: from the data URL, else Alpaca's) */
  dataStreamUrl?: string;
  env?: NodeJS.ProcessEnv;
  /** SDK stream options (tests shorten the reconnect and watchdog timings) */
  stream?: { initialReconnectMs?: number; maxReconnectMs?: number; pingIntervalMs?: number; pongWaitMs?: number };
  /** SDK retry base delay (tests) */
  retryDelayMs?: number;
}

const num = (x: unknown): number => (x === undefined || x === null || x === '' ? NaN : Number(x));

function toOrder(o: Record<string, unknown>): BrokerOrder {
  const fp = num(o.filledAvgPrice ?? o.filled_avg_price);
  return {
    id: String(o.id),
    client_order_id: String(o.clientOrderId ?? o.client_order_id ?? ''),
    symbol: String(o.symbol),
    side: String(o.side),
    qty: num(o.qty),
    filled_qty: num(o.filledQty ?? o.filled_qty) || 0,
    filled_avg_price: Number.isFinite(fp) ? fp : null,
    status: String(o.status),
    type: String(o.type ?? o.orderType ?? o.order_type),
  };
}

/** A fetch that sends trading and data requests to the configured origins (path and query kept). */
function retargetingFetch(trading?: string, data?: string): typeof fetch {
  return (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const to = /(^|\.)data\./.test(url.hostname) ? data : trading;
    if (to) {
      const t = new URL(to);
      url.protocol = t.protocol;
      url.host = t.host;
      if (t.pathname && t.pathname !== '/') url.pathname = t.pathname.replace(/\/$/, '') + url.pathname;
    }
    return fetch(url, init);
  };
}

export class AlpacaBroker implements Broker {
  private readonly client: Alpaca;
  private readonly streamUrl: string | undefined;
  private stream: ReturnType<Alpaca['trading']['stream']> | null = null;
  private readonly listeners: ((u: BrokerUpdate) => void)[] = [];
  readonly live: boolean;

  constructor(private readonly o: AlpacaOptions = {}) {
    const env = o.env ?? process.env;
    const keyId = o.keyId ?? env.APCA_API_KEY_ID;
    const secret = o.secret ?? env.APCA_API_SECRET_KEY;
    if (!keyId || !secret) throw new Error('Alpaca needs APCA_API_KEY_ID and APCA_API_SECRET_KEY in the environment');
    this.live = !!o.live;
    const base = o.baseUrl ?? env.APCA_API_BASE_URL;
    const data = o.dataUrl ?? env.APCA_API_DATA_URL;
    this.streamUrl = o.streamUrl ?? env.APCA_API_STREAM_URL;
    this.client = new Alpaca({
      keyId,
      secret,
      paper: !this.live,
      rateLimit: { maxRequests: 200, intervalMs: 60_000, maxConcurrent: 16 },
      retry: { maxRetries: 3, retryDelayMs: o.retryDelayMs ?? 250, maxDelayMs: 5_000, respectRetryAfter: true },
      ...(base || data ? { fetchApi: retargetingFetch(base, data) as never } : {}),
    });
  }

  private async call<T>(f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      // the SDK's errors carry the response, never the key headers; keep only status, code and message
      if (e instanceof ApiError) throw new BrokerRejection(e.status, (e as { code?: number }).code, e.message);
      throw e;
    }
  }

  async submit(r: BrokerOrderRequest): Promise<BrokerOrder> {
    const common = { symbol: r.symbol, side: r.side, qty: r.qty, clientOrderId: r.client_order_id, timeInForce: r.time_in_force ?? 'day' } as const;
    const orders = this.client.trading.orders;
    const o = await this.call(() =>
      r.type === 'market'
        ? orders.market(common)
        : r.type === 'limit'
          ? orders.limit({ ...common, limitPrice: r.limit_price! })
          : r.type === 'stop'
            ? orders.stop({ ...common, stopPrice: r.stop_price! })
            : orders.stopLimit({ ...common, stopPrice: r.stop_price!, limitPrice: r.limit_price! }),
    );
    return toOrder(o as unknown as Record<string, unknown>);
  }

  async cancel(orderId: string): Promise<void> {
    await this.call(() => this.client.trading.orders.deleteOrderByOrderID({ orderId }));
  }

  async replace(orderId: string, c: { qty?: number; limit_price?: number; stop_price?: number; client_order_id?: string }): Promise<BrokerOrder> {
    const o = await this.call(() =>
      this.client.trading.orders.patchOrderByOrderId({ orderId, patchOrderRequest: { ...(c.qty !== undefined ? { qty: String(c.qty) } : {}), ...(c.limit_price !== undefined ? { limitPrice: String(c.limit_price) } : {}), ...(c.stop_price !== undefined ? { stopPrice: String(c.stop_price) } : {}), ...(c.client_order_id ? { clientOrderId: c.client_order_id } : {}) } as never }),
    );
    return toOrder(o as unknown as Record<string, unknown>);
  }

  async account(): Promise<BrokerAccount> {
    const a = (await this.call(() => this.client.trading.account.getAccount())) as unknown as Record<string, unknown>;
    return { cash: num(a.cash), equity: num(a.equity), buying_power: num(a.buyingPower), status: String(a.status) };
  }

  async positions(): Promise<BrokerPosition[]> {
    const ps = (await this.call(() => this.client.trading.positions.getAllOpenPositions())) as unknown as Record<string, unknown>[];
    return ps.map((p) => ({ symbol: String(p.symbol), qty: num(p.qty), avg_entry_price: num(p.avgEntryPrice ?? p.avg_entry_price), market_value: Number.isFinite(num(p.marketValue)) ? num(p.marketValue) : null }));
  }

  async openOrders(): Promise<BrokerOrder[]> {
    const os = (await this.call(() => this.client.trading.orders.getAllOrders({ status: 'open' } as never))) as unknown as Record<string, unknown>[];
    return os.map(toOrder);
  }

  async orderByClientId(clientOrderId: string): Promise<BrokerOrder | null> {
    try {
      return toOrder((await this.call(() => this.client.trading.orders.getOrderByClientOrderId({ clientOrderId }))) as unknown as Record<string, unknown>);
    } catch (e) {
      if (e instanceof BrokerRejection && e.status === 404) return null;
      throw e;
    }
  }

  /**
   * Historical bars (market-data REST, all pages): per symbol, columns ordered by time. `tf`: 1m, 5m, 15m, 30m, 1h,
   * 1d, 1w. Timestamps are bar starts in UTC ms.
   */
  async bars(symbols: string[], tf: string, start: Date, end?: Date, feed?: string): Promise<Map<string, { ts: number[]; open: number[]; high: number[]; low: number[]; close: number[]; volume: number[] }>> {
    const m = /^(\d+)(m|h|d|w)$/.exec(tf);
    if (!m) throw new Error(`timeframe ${tf}: Alpaca serves 1m…59m, 1h…23h, 1d, 1w`);
    const n = Number(m[1]);
    const frame = m[2] === 'd' && n === 1 ? TimeFrame.Day : m[2] === 'w' && n === 1 ? TimeFrame.Week : timeFrame(n, m[2] === 'm' ? TimeFrameUnit.Minute : m[2] === 'h' ? TimeFrameUnit.Hour : m[2] === 'd' ? TimeFrameUnit.Day : TimeFrameUnit.Week);
    const res = (await this.call(() => this.client.marketData.getStockBars({ symbols, timeframe: frame, start, ...(end ? { end } : {}), ...(feed ? { feed } : {}) } as never))) as unknown as Record<string, { timestamp: Date; open: unknown; high: unknown; low: unknown; close: unknown; volume: unknown }[]>;
    const out = new Map<string, { ts: number[]; open: number[]; high: number[]; low: number[]; close: number[]; volume: number[] }>();
    for (const sym of symbols) {
      const bs = [...(res[sym] ?? [])].sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
      out.set(sym, { ts: bs.map((b) => b.timestamp.getTime()), open: bs.map((b) => num(b.open)), high: bs.map((b) => num(b.high)), low: bs.map((b) => num(b.low)), close: bs.map((b) => num(b.close)), volume: bs.map((b) => num(b.volume)) });
    }
    return out;
  }

  /** The market clock: whether the market is open, and the next open and close. */
  async clock(): Promise<{ is_open: boolean; next_open: string | null; next_close: string | null }> {
    const c = (await this.call(() => this.client.trading.clock.legacyClock())) as unknown as Record<string, unknown>;
    const iso = (x: unknown) => (x instanceof Date ? x.toISOString() : x ? String(x) : null);
    return { is_open: !!(c.isOpen ?? c.is_open), next_open: iso(c.nextOpen ?? c.next_open), next_close: iso(c.nextClose ?? c.next_close) };
  }

  /** Tradable US equities (symbol, name, whether shortable and fractionable). */
  async assets(): Promise<{ symbol: string; name: string; tradable: boolean; shortable: boolean; fractionable: boolean }[]> {
    const xs = (await this.call(() => this.client.trading.assets.getV2Assets({ status: 'active' } as never))) as unknown as Record<string, unknown>[];
    return xs.map((a) => ({ symbol: String(a.symbol), name: String(a.name ?? ''), tradable: !!a.tradable, shortable: !!a.shortable, fractionable: !!a.fractionable }));
  }

  /** Trading days from `start` to `end` with their open and close (New York time; early closes included). */
  async calendar(start: Date, end: Date): Promise<{ date: string; open: string; close: string }[]> {
    const days = (await this.call(() => this.client.trading.calendar.legacyCalendar({ start, end }))) as unknown as Record<string, unknown>[];
    const ymd = (x: unknown) => (x instanceof Date ? x.toISOString().slice(0, 10) : String(x).slice(0, 10));
    return days.map((d) => ({ date: ymd(d.date), open: String(d.open), close: String(d.close) }));
  }

  onUpdate(fn: (u: BrokerUpdate) => void): void {
    this.listeners.push(fn);
  }

  /** Open the trade-updates stream; resolves once authenticated (rejects on bad keys). */
  async connect(): Promise<void> {
    const s = this.client.trading.stream({ ...(this.streamUrl ? { url: this.streamUrl } : {}), ...(this.o.stream ?? {}) });
    this.stream = s;
    s.onTradeUpdate((u) => {
      const r = u as unknown as Record<string, unknown>;
      const up: BrokerUpdate = { event: String(r.event), order: toOrder(r.order as Record<string, unknown>), price: Number.isFinite(num(r.price)) ? num(r.price) : null, qty: Number.isFinite(num(r.qty)) ? num(r.qty) : null, timestamp: r.timestamp instanceof Date ? r.timestamp.toISOString() : null };
      for (const f of this.listeners) f(up);
    });
    s.onConnect(() => s.subscribeTradeUpdates());
    s.connect();
    const auth = await s.whenAuthenticated();
    if (!auth.authenticated) throw new Error(`Alpaca trade-updates stream: ${auth.status}${auth.code ? ` (${auth.code})` : ''}`);
  }

  /**
   * Live bars from the market-data stream (`feed`: iex or sip). The URL: `dataStreamUrl`, else derived from the data
   * REST base URL when one is set (ws(s)://host/v2/FEED), else Alpaca's.
   */
  async barStream(symbols: string[], feed: string, onBar: (b: { symbol: string; timestamp: Date; open: number; high: number; low: number; close: number; volume: number }) => void): Promise<() => void> {
    const env = this.o.env ?? process.env;
    const dataBase = this.o.dataUrl ?? env.APCA_API_DATA_URL;
    const url = this.o.dataStreamUrl ?? (dataBase ? `${dataBase.replace(/^http/, 'ws').replace(/\/$/, '')}/v2/${feed}` : undefined);
    const st = this.client.marketData.stockStream({ feed: feed as never, ...(url ? { url } : {}), ...(this.o.stream ?? {}) } as never);
    st.onBar((b) => {
      const r = b as unknown as Record<string, unknown>;
      onBar({ symbol: String(r.symbol), timestamp: r.timestamp as Date, open: num(r.open), high: num(r.high), low: num(r.low), close: num(r.close), volume: num(r.volume) });
    });
    st.onConnect(() => st.subscribeForBars(symbols));
    st.connect();
    const auth = await st.whenAuthenticated();
    if (!auth.authenticated) throw new Error(`Alpaca market-data stream: ${auth.status}${auth.code ? ` (${auth.code})` : ''}`);
    return () => st.disconnect();
  }

  async close(): Promise<void> {
    this.stream?.disconnect();
    this.stream = null;
  }
}
