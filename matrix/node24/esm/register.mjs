// The ESM test app's preload for the Node 24 matrix: the same as
// packages/instrumentation/test/fixtures/esm/register.mjs, with this folder's SDK 3.x packages.
import { register } from 'node:module';
import { llmInstrumentations } from '@llm-otel/instrumentation';
import { metrics } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';

register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);

class CollectingReader extends MetricReader {
  async onShutdown() {}
  async onForceFlush() {}
}
const reader = new CollectingReader();
metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
registerInstrumentations({ instrumentations: llmInstrumentations() });
globalThis.__testReader = reader;
