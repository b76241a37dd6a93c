/**
 * One app instance of the scale-out test (e2e/test/scale-out.test.ts): a light process that uses
 * llm-otel the way a service does (register() configured by the standard OTEL_* variables, OTLP
 * push) and records LLM calls with known counts until it is sent SIGTERM. It then flushes (the
 * last OTLP export carries the final cumulative totals) and prints what it recorded as one JSON
 * line, `{"totals":{...}}`, which the test compares with what the metrics store holds.
 *
 * Plain JavaScript run by `node` (no build step); it imports the built packages of this checkout.
 *
 * Variables: SCALE_CALLS_PER_TICK (calls recorded every 100 ms, default 5), SCALE_MODELS (default 2),
 * plus the OTEL_* ones.
 */
import { getLlmMetrics } from '../../packages/core/dist/esm/index.js';
import { register } from '../../packages/node/dist/esm/index.js';

/**
 * SCALE_MODELS models (default 2) so the store has several series per instance; more models
 * mean more data points per export (how the capacity measurement raises the load). Above 20 the
 * SDK's model-name limit turns the extra names into `_OTHER`. Every 3rd call fails.
 */
const MODELS = Array.from({ length: Number(process.env.SCALE_MODELS ?? '2') }, (_, i) => `scale-model-${i}`);
const OUTPUT_TOKENS = 7;
const TICK_MS = 100;

const callsPerTick = Number(process.env.SCALE_CALLS_PER_TICK ?? '5');
const telemetry = register();
const llm = getLlmMetrics();

/** Per model: calls, failed calls and output tokens recorded (failed calls record no tokens). */
const totals = Object.fromEntries(MODELS.map((m) => [m, { calls: 0, errors: 0, outputTokens: 0 }]));
let sequence = 0;

function tick() {
  for (let i = 0; i < callsPerTick; i++) {
    const model = MODELS[sequence % MODELS.length];
    const failed = sequence % 3 === 2;
    sequence++;
    const t = totals[model];
    t.calls++;
    if (failed) {
      t.errors++;
      llm.recordInference({ provider: 'openai', operation: 'chat', model, durationSeconds: 0.05, error: 'timeout' });
    } else {
      t.outputTokens += OUTPUT_TOKENS;
      llm.recordInference({
        provider: 'openai',
        operation: 'chat',
        model,
        durationSeconds: 0.2,
        inputTokens: 11,
        outputTokens: OUTPUT_TOKENS,
      });
    }
  }
}

const timer = setInterval(tick, TICK_MS);
// The test waits for this line before it counts the instance as running.
process.stdout.write('{"ready":true}\n');

process.once('SIGTERM', async () => {
  clearInterval(timer);
  await telemetry.shutdown();
  process.stdout.write(`${JSON.stringify({ totals })}\n`);
  process.exit(0);
});
