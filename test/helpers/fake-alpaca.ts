/**
 * A fake Alpaca on 127.0.0.1, shaped after Alpaca's API reference: the trading REST endpoints a session uses
 * (account, orders with client_order_id, positions, clock) and the trade-updates WebSocket (authenticate, listen,
 * trade_updates frames). Tests drive the market: fill an order (partly or fully), reject one, answer 429 to the next
 * requests, drop every stream connection.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { decode, encode } from '@msgpack/msgpack';
import { WebSocketServer, type WebSocket } from 'ws';

export interface FakeOrder {
  id: string;
  client_order_id: string;
  symbol: string;
  side: string;
  qty: string;
  filled_qty: string;
  filled_avg_price: string | null;
  type: string;
  order_type: string;
  time_in_force: string;
  limit_price: string | null;
  stop_price: string | null;
  status: string;
  created_at: string;
  updated_at: string;
  submitted_at: string;
}

export class FakeAlpaca {
  readonly orders: FakeOrder[] = [];
  /** every REST request: method and path */
  readonly requests: { method: string; path: string; key: string | undefined }[] = [];
  private readonly server: http.Server;
  private readonly wss: WebSocketServer;
  private readonly data: WebSocketServer;
  private readonly dataSockets = new Set<WebSocket>();
  /** symbols subscribed for bars on the market-data stream */
  readonly barSubs = new Set<string>();
  private readonly sockets = new Set<WebSocket>();
  private n = 0;
  private tooMany = 0;
  /** symbols whose orders are refused at submission (403, insufficient buying power) */
  readonly refuse = new Set<string>();
  cash = 100_000;
  /** the trade stream answers no ping (a connection alive but silent) */
  silent = false;
  /** tradable symbols served at /v2/assets */
  assets = ['AAPL', 'MSFT', 'ORCL', 'TSLA', 'XYZ', 'LIVE'];
  /** the trading calendar served at /v2/calendar (default: every day 00:00–23:59, always open) */
  calendarDays: { date: string; open: string; close: string }[] = Array.from({ length: 30 }, (_, k) => ({ date: new Date(Date.now() + (k - 10) * 86_400_000).toISOString().slice(0, 10), open: '00:00', close: '23:59' }));
  /** historical bars served at /v2/stocks/bars (t as ISO strings), paged 100 at a time */
  bars: Record<string, { t: string; o: number; h: number; l: number; c: number; v: number }[]> = {};
  /** fill every market order in full right after acknowledging it, at this price (null: leave it working) */
  autoFill: ((o: FakeOrder) => number | null) | null = null;
  authCount = 0;
  listenCount = 0;

  constructor(readonly key = 'test-key', readonly secret = 'test-secret') {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    // pongs by hand, so a test can make the trade stream go silent (answer no ping) without closing it
    this.wss = new WebSocketServer({ noServer: true, autoPong: false });
    this.data = new WebSocketServer({ noServer: true });
    this.server.on('upgrade', (req, socket, head) => {
      const p = new URL(req.url ?? '/', 'http://x').pathname;
      const to = p === '/stream' ? this.wss : /^\/v2\/(iex|sip)$/.test(p) ? this.data : null;
      if (!to) return socket.destroy();
      to.handleUpgrade(req, socket, head, (ws) => to.emit('connection', ws, req));
    });
    // the market-data stream: msgpack arrays of frames
    this.data.on('connection', (ws) => {
      this.dataSockets.add(ws);
      ws.on('close', () => this.dataSockets.delete(ws));
      ws.send(encode([{ T: 'success', msg: 'connected' }]));
      ws.on('message', (raw) => {
        const m = decode(raw as Uint8Array) as { action: string; key?: string; secret?: string; bars?: string[] };
        if (m.action === 'auth') ws.send(encode([m.key === this.key && m.secret === this.secret ? { T: 'success', msg: 'authenticated' } : { T: 'error', code: 402, msg: 'auth failed' }]));
        else if (m.action === 'subscribe') {
          for (const b of m.bars ?? []) this.barSubs.add(b);
          ws.send(encode([{ T: 'subscription', trades: [], quotes: [], bars: [...this.barSubs] }]));
        }
      });
    });
    this.wss.on('connection', (ws) => {
      this.sockets.add(ws);
      ws.on('ping', (d) => {
        if (!this.silent) ws.pong(d);
      });
      ws.on('close', () => this.sockets.delete(ws));
      ws.on('message', (raw) => {
        const m = JSON.parse(String(raw)) as { action: string; data?: { key_id?: string; secret_key?: string; streams?: string[] } };
        if (m.action === 'authenticate') {
          this.authCount++;
          const ok = m.data?.key_id === this.key && m.data?.secret_key === this.secret;
          ws.send(JSON.stringify({ stream: 'authorization', data: { status: ok ? 'authorized' : 'unauthorized', action: 'authenticate' } }));
        } else if (m.action === 'listen') {
          this.listenCount++;
          ws.send(JSON.stringify({ stream: 'listening', data: { streams: m.data?.streams ?? [] } }));
        }
      });
    });
  }

  async start(): Promise<{ rest: string; stream: string }> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    const port = (this.server.address() as AddressInfo).port;
    return { rest: `http://127.0.0.1:${port}`, stream: `ws://127.0.0.1:${port}/stream` };
  }

  /** Send a minute bar on the market-data stream. */
  pushBar(b: { S: string; t: string; o: number; h: number; l: number; c: number; v: number }): void {
    const frame = encode([{ T: 'b', ...b }]);
    for (const s of this.dataSockets) s.send(frame);
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.terminate();
    for (const s of this.dataSockets) s.terminate();
    this.wss.close();
    this.data.close();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** The next `n` REST requests are answered 429 with Retry-After. */
  throttle(n: number): void {
    this.tooMany = n;
  }

  /** Drop every trade-updates connection (as a network failure would). */
  dropStreams(): void {
    for (const s of this.sockets) s.terminate();
  }

  get dataConnections(): number {
    return this.dataSockets.size;
  }

  get connections(): number {
    return this.sockets.size;
  }

  private update(event: string, o: FakeOrder, extra: Record<string, unknown> = {}): void {
    const frame = JSON.stringify({ stream: 'trade_updates', data: { event, order: o, timestamp: new Date().toISOString(), ...extra } });
    for (const s of this.sockets) s.send(frame);
  }

  /** Fill `qty` of an order at `price` (partial_fill, or fill when complete). */
  fill(clientOrderId: string, qty: number, price: number): void {
    const o = this.orders.find((x) => x.client_order_id === clientOrderId)!;
    const before = Number(o.filled_qty);
    const avg = o.filled_avg_price ? Number(o.filled_avg_price) : 0;
    const filled = before + qty;
    o.filled_avg_price = String((avg * before + price * qty) / filled);
    o.filled_qty = String(filled);
    o.status = filled >= Number(o.qty) ? 'filled' : 'partially_filled';
    o.updated_at = new Date().toISOString();
    this.cash += (o.side === 'buy' ? -1 : 1) * qty * price;
    this.update(o.status === 'filled' ? 'fill' : 'partial_fill', o, { price: String(price), qty: String(qty), position_qty: String(filled) });
  }

  /** Reject a working order asynchronously (as the exchange might). */
  reject(clientOrderId: string): void {
    const o = this.orders.find((x) => x.client_order_id === clientOrderId)!;
    o.status = 'rejected';
    this.update('rejected', o);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const key = req.headers['apca-api-key-id'] as string | undefined;
    this.requests.push({ method: req.method ?? '', path: url.pathname, key });
    const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    if (key !== this.key || req.headers['apca-api-secret-key'] !== this.secret) return send(401, { code: 40110000, message: 'request is not authorized' });
    if (this.tooMany > 0) {
      this.tooMany--;
      return send(429, { code: 42910000, message: 'rate limit exceeded' }, { 'retry-after': '1' });
    }
    let body = '';
    for await (const c of req) body += c;
    const p = url.pathname;
    if (req.method === 'GET' && p === '/v2/account') return send(200, { id: 'acct', account_number: 'PA0000', status: 'ACTIVE', currency: 'USD', cash: String(this.cash), equity: String(this.cash), buying_power: String(this.cash * 2) });
    if (req.method === 'GET' && p === '/v2/stocks/bars') {
      const syms = (url.searchParams.get('symbols') ?? '').split(',');
      const from = Number(url.searchParams.get('page_token') ?? 0);
      const all = syms.flatMap((sym) => (this.bars[sym] ?? []).filter((b) => b.t >= (url.searchParams.get('start') ?? '')).map((b) => [sym, b] as const));
      const page = all.slice(from, from + 100);
      const out: Record<string, unknown[]> = {};
      for (const [sym, b] of page) (out[sym] ??= []).push(b);
      return send(200, { bars: out, next_page_token: from + 100 < all.length ? String(from + 100) : null });
    }
    if (req.method === 'GET' && p === '/v2/assets') return send(200, this.assets.map((symbol) => ({ id: `asset-${symbol}`, class: 'us_equity', exchange: 'NASDAQ', symbol, name: symbol, status: 'active', tradable: true, marginable: true, shortable: true, easy_to_borrow: true, fractionable: true })));
    if (req.method === 'GET' && p === '/v2/calendar') return send(200, this.calendarDays);
    if (req.method === 'GET' && p === '/v2/clock') return send(200, { timestamp: new Date().toISOString(), is_open: true, next_open: '2026-11-26T14:30:00Z', next_close: '2026-11-25T21:00:00Z' });
    if (req.method === 'GET' && p === '/v2/positions') {
      const pos = new Map<string, { qty: number; cost: number }>();
      for (const o of this.orders) {
        const q = Number(o.filled_qty);
        if (!q) continue;
        const x = pos.get(o.symbol) ?? { qty: 0, cost: 0 };
        x.qty += o.side === 'buy' ? q : -q;
        x.cost += (o.side === 'buy' ? q : -q) * Number(o.filled_avg_price);
        pos.set(o.symbol, x);
      }
      return send(200, [...pos].filter(([, x]) => x.qty !== 0).map(([symbol, x]) => ({ symbol, qty: String(x.qty), avg_entry_price: String(x.cost / x.qty), side: x.qty > 0 ? 'long' : 'short', market_value: String(x.cost) })));
    }
    if (req.method === 'GET' && p === '/v2/orders') return send(200, this.orders.filter((o) => ['new', 'accepted', 'partially_filled', 'pending_new'].includes(o.status)));
    if (req.method === 'GET' && p === '/v2/orders:by_client_order_id') {
      const o = this.orders.find((x) => x.client_order_id === url.searchParams.get('client_order_id'));
      return o ? send(200, o) : send(404, { code: 40410000, message: 'order not found' });
    }
    if (req.method === 'POST' && p === '/v2/orders') {
      const r = JSON.parse(body) as { symbol: string; side: string; qty: string; type: string; time_in_force: string; client_order_id?: string; limit_price?: string; stop_price?: string };
      if (r.client_order_id && this.orders.some((o) => o.client_order_id === r.client_order_id)) return send(422, { code: 40010001, message: 'client_order_id must be unique' });
      if (this.refuse.has(r.symbol)) return send(403, { code: 40310000, message: 'insufficient buying power' });
      const now = new Date().toISOString();
      const o: FakeOrder = { id: `ord-${++this.n}`, client_order_id: r.client_order_id ?? `auto-${this.n}`, symbol: r.symbol, side: r.side, qty: String(r.qty), filled_qty: '0', filled_avg_price: null, type: r.type, order_type: r.type, time_in_force: r.time_in_force, limit_price: r.limit_price ?? null, stop_price: r.stop_price ?? null, status: 'new', created_at: now, updated_at: now, submitted_at: now };
      this.orders.push(o);
      send(200, o);
      setImmediate(() => {
        this.update('new', o);
        const px = o.type === 'market' ? this.autoFill?.(o) : null;
        if (px !== null && px !== undefined) this.fill(o.client_order_id, Number(o.qty), px);
      });
      return;
    }
    const m = /^\/v2\/orders\/([^/]+)$/.exec(p);
    if (m && req.method === 'PATCH') {
      const o = this.orders.find((x) => x.id === decodeURIComponent(m[1]));
      if (!o) return send(404, { code: 40410000, message: 'order not found' });
      if (!['new', 'accepted', 'partially_filled'].includes(o.status)) return send(422, { code: 42210000, message: `order is in "${o.status}" state` });
      const r = JSON.parse(body) as { qty?: string; limit_price?: string; stop_price?: string; client_order_id?: string };
      const now = new Date().toISOString();
      const n: FakeOrder = { ...o, id: `ord-${++this.n}`, client_order_id: r.client_order_id ?? `auto-${this.n}`, qty: r.qty ?? o.qty, limit_price: r.limit_price ?? o.limit_price, stop_price: r.stop_price ?? o.stop_price, status: 'new', filled_qty: '0', filled_avg_price: null, created_at: now, updated_at: now };
      o.status = 'replaced';
      this.orders.push(n);
      send(200, n);
      setImmediate(() => {
        this.update('replaced', o);
        this.update('new', n);
      });
      return;
    }
    if (m && req.method === 'DELETE') {
      const o = this.orders.find((x) => x.id === decodeURIComponent(m[1]));
      if (!o) return send(404, { code: 40410000, message: 'order not found' });
      if (o.status === 'filled') return send(422, { code: 42210000, message: 'order is already in "filled" state' });
      o.status = 'canceled';
      send(204);
      setImmediate(() => this.update('canceled', o));
      return;
    }
    send(404, { code: 40410000, message: `no route ${req.method} ${p}` });
  }
}
