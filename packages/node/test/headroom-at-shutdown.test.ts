import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parseGoDuration } from '@llm-otel/core/internal';
import { ModelSimulator } from '@llm-otel/model-simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver } from './otlp-receiver.js';

interface OtlpGaugeMetric {
  name: string;
  gauge?: {
    dataPoints: Array<{
      attributes: Array<{ key: string; value: { stringValue?: string } }>;
      asInt?: string | number;
      asDouble?: number;
    }>;
  };
}
interface OtlpMetricsBody {
  resourceMetrics: Array<{ scopeMetrics: Array<{ metrics: OtlpGaugeMetric[] }> }>;
}

/** An OTLP/HTTP JSON receiver that keeps every metrics body. */
const startReceiver = () => startOtlpReceiver<OtlpMetricsBody>({ path: '/v1/metrics' });

/** The last exported value of a rate-limit gauge per `llm.rate_limit.kind`. */
function lastGauges(bodies: OtlpMetricsBody[], name: string): Record<string, number> {
  const values: Record<string, number> = {};
  for (const body of bodies)
    for (const rm of body.resourceMetrics)
      for (const sm of rm.scopeMetrics)
        for (const m of sm.metrics) {
          if (m.name !== name) continue;
          for (const p of m.gauge?.dataPoints ?? []) {
            const kind = p.attributes.find((a) => a.key === 'llm.rate_limit.kind')?.value.stringValue ?? '?';
            values[kind] = Number(p.asInt ?? p.asDouble);
          }
        }
  return values;
}

const simulator = new ModelSimulator({
  rateLimitRate: 0,
  serverErrorRate: 0,
  firstTokenMedianMs: 1,
  perTokenMedianMs: 0,
});
let base: string;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  [base, receiver] = await Promise.all([simulator.start(), startReceiver()]);
});
afterAll(async () => {
  receiver.server.close();
  await simulator.stop();
});

describe('register() shutdown reads the rate-limit headers kept by the openai instrumentation', () => {
  it('exports the headers of the last call, made just before an immediate shutdown', async () => {
    const child = spawn(
      process.execPath,
      [fileURLToPath(new URL('./fixtures/headroom-shutdown-app.cjs', import.meta.url))],
      {
        cwd: fileURLToPath(new URL('..', import.meta.url)),
        env: { ...process.env, OPENAI_BASE_URL: `${base}/v1`, RECEIVER_URL: receiver.url },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const [code] = (await once(child, 'exit')) as [number];
    expect(code, stderr).toBe(0);
    const { kept, headers } = JSON.parse(stdout) as { kept: boolean; headers: Record<string, string> };
    // The precondition: the last response was within the read interval, i.e. kept for a later read.
    expect(kept).toBe(true);

    const want = (field: string) =>
      Object.fromEntries(['requests', 'tokens'].map((kind) => [kind, headers[`x-ratelimit-${field}-${kind}`]]));
    const reset = (kind: string) => {
      const parsed = parseGoDuration(String(want('reset')[kind]));
      return parsed.ok ? parsed.value : Number.NaN;
    };
    expect(lastGauges(receiver.bodies, 'llm_rate_limit_remaining')).toEqual({
      requests: Number(want('remaining').requests),
      tokens: Number(want('remaining').tokens),
    });
    expect(lastGauges(receiver.bodies, 'llm_rate_limit_limit')).toEqual({
      requests: Number(want('limit').requests),
      tokens: Number(want('limit').tokens),
    });
    expect(lastGauges(receiver.bodies, 'llm_rate_limit_reset_seconds')).toEqual({
      requests: reset('requests'),
      tokens: reset('tokens'),
    });
  });
});
