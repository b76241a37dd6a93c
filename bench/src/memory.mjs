// Retained memory and series count after many recorded calls, and the time a /metrics scrape
// takes at that size. Run with --expose-gc (run.mjs does): every heap figure is taken after two
// full collections, so it is what is retained, not what is merely allocated.
//
//   --calls N       recordInference() calls (default 1,000,000)
//   --names N       distinct model names, cycled through (10: a normal service; 100,000: an attack)
//   --out FILE      where the JSON result goes
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { requireLlmOtel, scrape, setupMetrics } from './setup.mjs';

const { values: args } = parseArgs({
  options: {
    calls: { type: 'string', default: '1000000' },
    names: { type: 'string', default: '10' },
    out: { type: 'string' },
  },
});
const calls = Number(args.calls);
const names = Number(args.names);
if (typeof globalThis.gc !== 'function') throw new Error('run with --expose-gc');

function retainedHeap() {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed;
}

// As register() sets it up: recordInference aggregated in core, exported by llm-otel's MetricProducer.
const { reader, serializer } = setupMetrics('llm-otel');
const { getLlmMetrics } = requireLlmOtel('@llm-otel/core');
const llm = getLlmMetrics();
const modelNames = Array.from({ length: names }, (_, i) => `model-${i.toString(36).padStart(6, '0')}`);

function record(i) {
  const model = modelNames[i % names];
  llm.recordInference({
    provider: 'openai',
    operation: 'chat',
    model,
    responseModel: model,
    serverAddress: 'api.openai.com',
    serverPort: 443,
    durationSeconds: 0.2 + (i % 97) / 50,
    inputTokens: 10 + (i % 500),
    outputTokens: 1 + (i % 800),
    timeToFirstTokenSeconds: 0.05 + (i % 13) / 100,
  });
}

// Warm up: instruments created, one collection done, the code paths compiled.
for (let i = 0; i < 1000; i++) record(i % 1);
await scrape(reader, serializer);
const heapStart = retainedHeap();

// Heap after each checkpoint: growth must stop once the distinct-value bound is reached.
const checkpoints = [calls / 100, calls / 10, calls].map(Math.round);
const heap = [];
const started = performance.now();
let i = 0;
for (const until of checkpoints) {
  for (; i < until; i++) record(i);
  heap.push({ calls: until, bytes: retainedHeap() - heapStart });
}
const recordSeconds = (performance.now() - started) / 1000;

// Scrape: collection by the reader plus Prometheus text serialisation, as a /metrics request does.
const times = [];
let last;
for (let k = 0; k < 15; k++) {
  const t = performance.now();
  last = await scrape(reader, serializer);
  times.push(performance.now() - t);
}
times.sort((a, b) => a - b);
const models = new Set(last.text.match(/gen_ai_request_model="[^"]*"/g) ?? []);

writeFileSync(
  args.out,
  JSON.stringify({
    calls,
    names,
    heapStartBytes: heapStart,
    heap,
    recordSeconds,
    series: last.series,
    distinctModelLabels: models.size,
    scrapeMs: times[Math.floor(times.length / 2)],
    scrapeBytes: Buffer.byteLength(last.text),
  }),
);
process.exit(0);
