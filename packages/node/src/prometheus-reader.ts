import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { getLlmMetrics } from '@llm-otel/core';
import { diag } from '@opentelemetry/api';
import { type ExporterConfig, PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { OPENMETRICS_CONTENT_TYPE, serializeOpenMetrics } from './openmetrics.js';

/** Longest `Accept` header read (a scraper's is ~200 characters); the rest is ignored. */
const MAX_ACCEPT_LENGTH = 2048;

/**
 * Whether an `Accept` header prefers OpenMetrics text to the classic format: an
 * `application/openmetrics-text` range with a quality above 0 and at least that of `text/plain`
 * (Prometheus lists both, with qualities in the order of its `scrape_protocols`). Linear in the header.
 */
export function prefersOpenMetrics(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  let openMetrics = 0;
  let plain = 0;
  for (const range of accept.slice(0, MAX_ACCEPT_LENGTH).split(',')) {
    const parts = range.split(';');
    const type = (parts[0] ?? '').trim().toLowerCase();
    let quality = 1;
    for (let i = 1; i < parts.length; i++) {
      const [key, value] = (parts[i] ?? '').split('=');
      if (key?.trim().toLowerCase() === 'q') {
        const q = Number(value?.trim());
        quality = Number.isFinite(q) ? q : 0;
      }
    }
    if (type === 'application/openmetrics-text') openMetrics = Math.max(openMetrics, quality);
    else if (type === 'text/plain') plain = Math.max(plain, quality);
  }
  return openMetrics > 0 && openMetrics >= plain;
}

/**
 * The Prometheus pull endpoint: the OpenTelemetry `PrometheusExporter` (its classic text format,
 * byte for byte, for scrapes that do not ask for OpenMetrics), served by our own HTTP server so that
 * a scrape sending `Accept: application/openmetrics-text` gets an OpenMetrics 1.0 exposition of the
 * same metrics, with the latency exemplars (which the classic format cannot carry).
 */
export class PrometheusReader extends PrometheusExporter {
  private readonly httpServer: Server;
  private readonly host: string | undefined;
  private readonly port: number;
  private readonly path: string;
  private listening: Promise<void> | undefined;

  constructor(config: ExporterConfig & { port: number }, callback: (error?: Error) => void = () => {}) {
    super({ ...config, preventServerStart: true });
    this.host = config.host;
    this.port = config.port;
    this.path = (config.endpoint ?? '/metrics').replace(/^([^/])/, '/$1');
    // unref: the endpoint never holds the process open (as the exporter's own server).
    this.httpServer = createServer((request, response) => this.handle(request, response)).unref();
    this.startServer().then(
      () => callback(),
      (error: Error) => callback(error),
    );
  }

  override startServer(): Promise<void> {
    this.listening ??= new Promise<void>((resolve, reject) => {
      this.httpServer.once('error', reject);
      this.httpServer.listen({ port: this.port, host: this.host }, () => resolve());
    });
    return this.listening;
  }

  override stopServer(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.httpServer.close(() => resolve());
    });
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    let pathname: string;
    try {
      pathname = new URL(request.url ?? '', 'http://localhost/').pathname;
    } catch {
      response.statusCode = 400;
      response.end('Bad Request');
      return;
    }
    if (pathname !== this.path) {
      response.statusCode = 404;
      response.end();
      return;
    }
    if (prefersOpenMetrics(request.headers.accept)) this.exportOpenMetrics(response);
    else this.getMetricsRequestHandler(request, response);
  }

  private exportOpenMetrics(response: ServerResponse): void {
    this.collect().then(
      ({ resourceMetrics, errors }) => {
        if (errors.length > 0) diag.error('PrometheusReader: metrics collection errors', ...errors);
        let body: string;
        try {
          body = serializeOpenMetrics(resourceMetrics);
        } catch (error) {
          getLlmMetrics().reportInternalError('openMetrics', error);
          response.statusCode = 500;
          response.end();
          return;
        }
        response.statusCode = 200;
        response.setHeader('content-type', OPENMETRICS_CONTENT_TYPE);
        response.end(body);
      },
      (error: unknown) => {
        response.statusCode = 500;
        response.setHeader('content-type', 'text/plain');
        response.end(`# failed to export metrics: ${String(error)}`);
      },
    );
  }
}
