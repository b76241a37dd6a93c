import type { Attributes, ObservableResult } from '@opentelemetry/api';
import {
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_LLM_RATE_LIMIT_KIND,
  ATTR_SERVER_ADDRESS,
  OVERFLOW_VALUE,
} from './attributes.js';
import { KEY_ABSENT, KEY_SEPARATOR } from './fast-aggregation.js';
import type { RateLimitKind, RateLimitWindow } from './rate-limits/parse-rate-limits.js';

/** The values of `llm.rate_limit.kind`, in a fixed order. */
export const RATE_LIMIT_KINDS: readonly RateLimitKind[] = ['requests', 'tokens', 'input_tokens', 'output_tokens'];

/**
 * Provider and server pairs kept. Both values are already bounded by the attribute limiter; this
 * bounds their product. Later pairs share one `_OTHER` pair.
 */
export const MAX_RATE_LIMIT_SERVERS = 256;

/** The latest rate-limit values of one provider and server, per kind; `NaN` where none was reported. */
class Headroom {
  readonly attributes: Attributes[];
  readonly limit: number[] = RATE_LIMIT_KINDS.map(() => Number.NaN);
  readonly remaining: number[] = RATE_LIMIT_KINDS.map(() => Number.NaN);
  readonly resetSeconds: number[] = RATE_LIMIT_KINDS.map(() => Number.NaN);

  constructor(provider: string, serverAddress: string | undefined) {
    this.attributes = RATE_LIMIT_KINDS.map((kind) => {
      const attributes: Attributes = { [ATTR_GEN_AI_PROVIDER_NAME]: provider };
      if (serverAddress !== undefined) attributes[ATTR_SERVER_ADDRESS] = serverAddress;
      attributes[ATTR_LLM_RATE_LIMIT_KIND] = kind;
      return attributes;
    });
  }
}

type Field = 'limit' | 'remaining' | 'resetSeconds';

/**
 * The latest rate-limit headroom per provider, server and kind, as the response headers reported
 * it: what the observable gauges `llm_rate_limit_{remaining,limit,reset_seconds}` report at
 * collection. A series exists once a response reported its value, and keeps the latest one.
 */
export class RateLimitState {
  private readonly byServer = new Map<string, Headroom>();

  /** Stores the fields each window reported; fields a window leaves out keep their previous value. */
  update(provider: string, serverAddress: string | undefined, windows: readonly RateLimitWindow[]): void {
    if (windows.length === 0) return;
    const headroom = this.headroomOf(provider, serverAddress);
    for (const window of windows) {
      const i = RATE_LIMIT_KINDS.indexOf(window.kind);
      if (i < 0) continue;
      if (window.limit !== undefined) headroom.limit[i] = window.limit;
      if (window.remaining !== undefined) headroom.remaining[i] = window.remaining;
      if (window.resetSeconds !== undefined) headroom.resetSeconds[i] = window.resetSeconds;
    }
  }

  /** Observes every reported value of `field` (for one of the three gauges). */
  observe(field: Field, result: ObservableResult<Attributes>): void {
    for (const headroom of this.byServer.values()) {
      const values = headroom[field];
      for (let i = 0; i < values.length; i += 1) {
        const value = values[i] as number;
        if (!Number.isNaN(value)) result.observe(value, headroom.attributes[i]);
      }
    }
  }

  /** Forgets every value (the series disappear from the next collection). */
  clear(): void {
    this.byServer.clear();
  }

  private headroomOf(provider: string, serverAddress: string | undefined): Headroom {
    const key = provider + KEY_SEPARATOR + (serverAddress ?? KEY_ABSENT);
    let headroom = this.byServer.get(key);
    if (headroom !== undefined) return headroom;
    if (this.byServer.size >= MAX_RATE_LIMIT_SERVERS - 1) {
      const overflowKey = OVERFLOW_VALUE + KEY_SEPARATOR + OVERFLOW_VALUE;
      headroom = this.byServer.get(overflowKey);
      if (headroom === undefined) {
        headroom = new Headroom(OVERFLOW_VALUE, OVERFLOW_VALUE);
        this.byServer.set(overflowKey, headroom);
      }
      return headroom;
    }
    headroom = new Headroom(provider, serverAddress);
    this.byServer.set(key, headroom);
    return headroom;
  }
}
