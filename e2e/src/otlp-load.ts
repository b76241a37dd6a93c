/**
 * An open-loop OTLP metrics load generator for the capacity run (capacity.ts): it replays an SDK's
 * export (otlp-load-template.ts) with a new `service.instance.id` (from a pool, round-robin) and a
 * new time each time, at a set rate of data points per second, to a collector's OTLP/HTTP port
 * (what apps send an agent: one export per request) or its OTLP/gRPC port (what an agent sends a
 * gateway: several exports per request, as its batch processor merges them; concatenated
 * ExportMetricsServiceRequests are one valid request with all their resources).
 *
 * Open loop: requests are due at the rate whatever the answers; at most `maxInFlight` are
 * outstanding, and a due request beyond that is skipped and counted (the collector is not keeping
 * up). Bounded by design: it sends only while started, only to loopback.
 */
import { Agent, request } from 'node:http';
import { type ClientHttp2Session, connect, constants } from 'node:http2';
import { type ExportTemplate, instanceExport, replayInstanceId } from './otlp-load-template.js';

/** Where to send: OTLP/HTTP (`/v1/metrics`, protobuf) or OTLP/gRPC (MetricsService/Export). */
export interface LoadTarget {
  protocol: 'http' | 'grpc';
  port: number;
}

/** Options of {@link OtlpLoad}. */
export interface OtlpLoadOptions {
  target: LoadTarget;
  /** Exports (instances) per request. */
  exportsPerRequest: number;
  /** Distinct instance ids, reused round-robin (bounds the series the store holds). */
  instancePool: number;
  /** Outstanding requests at most. */
  maxInFlight: number;
}

/** Counters since the generator was created. */
export interface LoadStats {
  /** Requests that were due (sent or skipped). */
  requestsDue: number;
  requestsOk: number;
  requestsFailed: number;
  /** Due requests not sent because `maxInFlight` were outstanding. */
  requestsSkipped: number;
  /** Data points in requests answered OK. */
  pointsOk: number;
  /** The last failure (status or error), if any. */
  lastError?: string;
}

const GRPC_PATH = '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export';
const TICK_MS = 20;

/** Replays a template at a rate; see the module comment. */
export class OtlpLoad {
  readonly stats: LoadStats = { requestsDue: 0, requestsOk: 0, requestsFailed: 0, requestsSkipped: 0, pointsOk: 0 };
  private readonly startNs = BigInt(Date.now()) * 1_000_000n;
  private lastNs = 0n;
  private nextInstance = 0;
  private inFlight = 0;
  private pointsPerSecond = 0;
  private rateSince = 0;
  private dueSent = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly httpAgent: Agent;
  private session: ClientHttp2Session | undefined;

  constructor(
    private readonly template: ExportTemplate,
    private readonly options: OtlpLoadOptions,
  ) {
    this.httpAgent = new Agent({ keepAlive: true, maxSockets: options.maxInFlight });
  }

  /** Data points per request. */
  get pointsPerRequest(): number {
    return this.template.points * this.options.exportsPerRequest;
  }

  /** Sets the offered rate (data points per second) from now on, and starts sending. */
  setRate(pointsPerSecond: number): void {
    this.pointsPerSecond = pointsPerSecond;
    this.rateSince = Date.now();
    this.dueSent = 0;
    this.timer ??= setInterval(() => this.tick(), TICK_MS);
  }

  /** Stops sending and waits (up to 10 s) for the outstanding requests. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    const deadline = Date.now() + 10_000;
    while (this.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    this.httpAgent.destroy();
    this.session?.close();
  }

  private tick(): void {
    const due = Math.floor(((Date.now() - this.rateSince) / 1000) * (this.pointsPerSecond / this.pointsPerRequest));
    for (; this.dueSent < due; this.dueSent++) {
      this.stats.requestsDue++;
      if (this.inFlight >= this.options.maxInFlight) this.stats.requestsSkipped++;
      else this.send(this.nextBody());
    }
  }

  /** The next request's body: `exportsPerRequest` exports of the next instances, at a fresh time. */
  private nextBody(): Buffer {
    // Strictly increasing over all requests, so no series gets two samples at one timestamp.
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    this.lastNs = nowNs > this.lastNs ? nowNs : this.lastNs + 1_000n;
    const parts: Buffer[] = [];
    for (let i = 0; i < this.options.exportsPerRequest; i++) {
      const id = replayInstanceId(this.nextInstance);
      this.nextInstance = (this.nextInstance + 1) % this.options.instancePool;
      parts.push(instanceExport(this.template, id, this.startNs, this.lastNs));
    }
    return Buffer.concat(parts);
  }

  private send(body: Buffer): void {
    this.inFlight++;
    const done = (error?: string) => {
      this.inFlight--;
      if (error === undefined) {
        this.stats.requestsOk++;
        this.stats.pointsOk += this.pointsPerRequest;
      } else {
        this.stats.requestsFailed++;
        this.stats.lastError = error;
      }
    };
    if (this.options.target.protocol === 'http') this.sendHttp(body, done);
    else this.sendGrpc(body, done);
  }

  private sendHttp(body: Buffer, done: (error?: string) => void): void {
    const req = request(
      {
        host: '127.0.0.1',
        port: this.options.target.port,
        path: '/v1/metrics',
        method: 'POST',
        agent: this.httpAgent,
        headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length },
      },
      (res) => {
        res.resume();
        res.on('end', () => done(res.statusCode === 200 ? undefined : `HTTP ${res.statusCode}`));
      },
    );
    req.on('error', (e) => done(e.message));
    req.end(body);
  }

  private grpcSession(): ClientHttp2Session {
    if (this.session === undefined || this.session.closed || this.session.destroyed) {
      const session = connect(`http://127.0.0.1:${this.options.target.port}`);
      session.on('error', () => {}); // each stream reports its own failure
      this.session = session;
    }
    return this.session;
  }

  private sendGrpc(body: Buffer, done: (error?: string) => void): void {
    // gRPC message framing: not compressed (0), 4-byte big-endian length, the message.
    const prefix = Buffer.alloc(5);
    prefix.writeUInt32BE(body.length, 1);
    let status: string | undefined;
    let settled = false;
    const settle = (error?: string) => {
      if (settled) return;
      settled = true;
      done(error);
    };
    const stream = this.grpcSession().request({
      [constants.HTTP2_HEADER_METHOD]: 'POST',
      [constants.HTTP2_HEADER_PATH]: GRPC_PATH,
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    // A trailers-only answer (an error) carries grpc-status in the headers.
    stream.on('response', (headers) => {
      if (headers['grpc-status'] !== undefined) status = String(headers['grpc-status']);
    });
    stream.on('trailers', (trailers) => {
      if (trailers['grpc-status'] !== undefined) status = String(trailers['grpc-status']);
    });
    stream.on('data', () => {});
    stream.on('error', (e) => settle(e.message));
    stream.on('close', () => settle(status === '0' ? undefined : `grpc-status ${status ?? 'missing'}`));
    stream.end(Buffer.concat([prefix, body]));
  }
}
