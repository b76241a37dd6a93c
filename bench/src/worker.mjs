// One benchmark process: sets up one variant (see setup.mjs), checks which metrics each case
// records, measures each case's CPU time per operation, times the cases with tinybench and
// writes the results as JSON to the file given by --out. Run by run.mjs, one process per variant
// and round, so no variant's patches or state leak into another's numbers.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Bench } from 'tinybench';
import { anthropicFetch, bedrockRequestHandler, MODELS, ollamaFetch, openaiFetch, STREAM_CHUNKS } from './fixtures.mjs';
import { recordedCounts, requireLlmOtel, setupVariant } from './setup.mjs';

const { values: args } = parseArgs({
  options: {
    variant: { type: 'string' },
    out: { type: 'string' },
    time: { type: 'string', default: '1000' },
    warmup: { type: 'string', default: '200' },
    cases: { type: 'string' },
    blocks: { type: 'string', default: '60' },
  },
});

/** Records per timed call of the `record-inference` case (sub-microsecond work needs batching). */
const RECORD_BATCH = 1000;

const variant = args.variant;
const { reader, switchable, OpenAI, Ollama, Anthropic, BedrockRuntimeClient, ConverseCommand } =
  await setupVariant(variant);
const openai = new OpenAI({
  apiKey: 'sk-bench',
  baseURL: 'https://api.openai.com/v1',
  fetch: openaiFetch(),
  maxRetries: 0,
});
const ollama = new Ollama({ host: 'http://127.0.0.1:11434', fetch: ollamaFetch() });
const anthropic = new Anthropic({
  apiKey: 'sk-ant-bench',
  baseURL: 'https://api.anthropic.com',
  fetch: anthropicFetch(),
  maxRetries: 0,
});
// The AWS SDK warns once per process that its 2027 releases need Node 22: noise in every worker's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const bedrock = new BedrockRuntimeClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' },
  requestHandler: bedrockRequestHandler(),
  maxAttempts: 1,
});
const messages = [{ role: 'user', content: 'Say hello.' }];
const bedrockMessages = [{ role: 'user', content: [{ text: 'Say hello.' }] }];

async function drain(stream) {
  let n = 0;
  for await (const _chunk of stream) n++;
  return n;
}

/**
 * Every case: its name, the variants it runs in, its function, the calls one timed run makes
 * (`perCall`) and the calls per block of the paired measurement (`paired`).
 */
const CASES = [
  {
    name: 'openai.chat',
    variants: ['baseline', 'llm-otel', 'otel-openai', 'llm-otel-signals', 'otel-openai-signals', 'openlit'],
    paired: 40,
    fn: () => openai.chat.completions.create({ model: MODELS.openai, messages }),
  },
  {
    name: `openai.chat.stream${STREAM_CHUNKS}`,
    variants: ['baseline', 'llm-otel', 'otel-openai', 'llm-otel-signals', 'otel-openai-signals', 'openlit'],
    paired: 4,
    fn: async () => {
      const stream = await openai.chat.completions.create({
        model: MODELS.openai,
        messages,
        stream: true,
        stream_options: { include_usage: true },
      });
      const n = await drain(stream);
      if (n !== STREAM_CHUNKS + 1) throw new Error(`expected ${STREAM_CHUNKS + 1} chunks, got ${n}`);
    },
  },
  {
    name: 'openai.chat.stream1',
    variants: ['baseline', 'llm-otel', 'otel-openai', 'llm-otel-signals', 'otel-openai-signals', 'openlit'],
    paired: 40,
    fn: async () => {
      const stream = await openai.chat.completions.create({
        model: MODELS.openai,
        messages,
        max_tokens: 1,
        stream: true,
        stream_options: { include_usage: true },
      });
      await drain(stream);
    },
  },
  {
    name: 'openai.embeddings',
    variants: ['baseline', 'llm-otel', 'otel-openai', 'llm-otel-signals', 'otel-openai-signals', 'openlit'],
    fn: () =>
      openai.embeddings.create({ model: 'text-embedding-3-small', input: 'hello world', encoding_format: 'float' }),
  },
  {
    name: 'ollama.chat',
    variants: ['baseline', 'llm-otel', 'llm-otel-signals', 'openlit'],
    paired: 100,
    fn: () => ollama.chat({ model: MODELS.ollama, messages }),
  },
  {
    name: `ollama.generate.stream${STREAM_CHUNKS}`,
    variants: ['baseline', 'llm-otel', 'llm-otel-signals', 'openlit'],
    paired: 10,
    fn: async () => {
      const n = await drain(await ollama.generate({ model: MODELS.ollama, prompt: 'Say hello.', stream: true }));
      if (n !== STREAM_CHUNKS + 1) throw new Error(`expected ${STREAM_CHUNKS + 1} chunks, got ${n}`);
    },
  },
  {
    name: 'anthropic.messages',
    variants: ['baseline', 'llm-otel', 'llm-otel-signals'],
    paired: 40,
    fn: () => anthropic.messages.create({ model: MODELS.anthropic, max_tokens: 1024, messages }),
  },
  {
    name: `anthropic.messages.stream${STREAM_CHUNKS}`,
    variants: ['baseline', 'llm-otel', 'llm-otel-signals'],
    paired: 4,
    fn: async () => {
      const stream = await anthropic.messages.create({
        model: MODELS.anthropic,
        max_tokens: 1024,
        messages,
        stream: true,
      });
      // message_start, content_block_start, the deltas, content_block_stop, message_delta, message_stop
      // (the client does not yield the ping).
      const n = await drain(stream);
      if (n !== STREAM_CHUNKS + 5) throw new Error(`expected ${STREAM_CHUNKS + 5} events, got ${n}`);
    },
  },
  {
    name: 'bedrock.converse',
    variants: ['baseline', 'llm-otel', 'llm-otel-signals'],
    paired: 40,
    fn: async () => {
      const r = await bedrock.send(new ConverseCommand({ modelId: MODELS.bedrock, messages: bedrockMessages }));
      if (r.usage?.outputTokens !== STREAM_CHUNKS) throw new Error(`expected ${STREAM_CHUNKS} output tokens`);
    },
  },
  {
    name: 'recordInference',
    variants: ['llm-otel'],
    perCall: RECORD_BATCH,
    fn: recordInferenceBatch(),
  },
];

function recordInferenceBatch() {
  const { getLlmMetrics } = requireLlmOtel('@llm-otel/core');
  const llm = getLlmMetrics();
  return () => {
    for (let i = 0; i < RECORD_BATCH; i++) {
      llm.recordInference({
        provider: 'openai',
        operation: 'chat',
        model: MODELS.openai,
        responseModel: 'gpt-4o-mini-2024-07-18',
        serverAddress: 'api.openai.com',
        serverPort: 443,
        durationSeconds: 0.8 + (i % 10) / 100,
        inputTokens: 42,
        outputTokens: 200,
        timeToFirstTokenSeconds: 0.12,
      });
    }
  };
}

const only = args.cases ? new Set(args.cases.split(',')) : undefined;
const cases = CASES.filter((c) => c.variants.includes(variant) && (only === undefined || only.has(c.name)));

// Which metrics one call of each case records (the difference of two collections around it).
const settle = () => new Promise((resolve) => setTimeout(resolve, 5));
const recorded = {};
for (const c of cases) {
  const before = await recordedCounts(reader);
  await c.fn();
  await settle();
  const after = await recordedCounts(reader);
  recorded[c.name] = Object.keys(after)
    .filter((name) => (after[name] ?? 0) > (before[name] ?? 0))
    .sort();
}

// CPU per operation (the headline): after a warm-up, blocks of operations timed with
// process.cpuUsage() (this process's CPU, garbage-collection threads included, other processes on
// the machine excluded) for --time ms; the median block. The variants are compared across
// processes (run.mjs alternates them), so nothing of one variant leaks into another.
async function cpuPerOperation(c) {
  const n = c.paired ?? 20;
  const deadline = (ms) => Date.now() + ms;
  for (const end = deadline(Number(args.warmup)); Date.now() < end; ) await c.fn();
  const blocks = [];
  for (const end = deadline(Number(args.time)); Date.now() < end || blocks.length < 3; ) {
    const start = process.cpuUsage();
    for (let k = 0; k < n; k++) await c.fn();
    const used = process.cpuUsage(start);
    blocks.push((used.user + used.system) / (n * (c.perCall ?? 1)));
  }
  return { cpuUs: [...blocks].sort((a, b) => a - b)[Math.floor(blocks.length / 2)], blocks: blocks.length };
}
const cpu = {};
for (const c of cases) cpu[c.name] = await cpuPerOperation(c);

const bench = new Bench({ time: Number(args.time), warmupTime: Number(args.warmup), warmupIterations: 20 });
for (const c of cases) bench.add(c.name, c.fn, { async: c.fn.constructor.name === 'AsyncFunction' || !c.perCall });
await bench.run();

const results = {};
for (const task of bench.tasks) {
  const c = cases.find((x) => x.name === task.name);
  const r = task.result;
  if (r.state !== 'completed') throw new Error(`${task.name}: ${r.state} ${r.error ?? ''}`);
  const perCall = c.perCall ?? 1;
  results[task.name] = {
    meanUs: (r.latency.mean * 1000) / perCall,
    p50Us: (r.latency.p50 * 1000) / perCall,
    rme: r.latency.rme,
    samples: r.latency.samplesCount,
    recorded: recorded[task.name],
    cpuUs: cpu[task.name].cpuUs,
    cpuBlocks: cpu[task.name].blocks,
  };
}
// Paired: the same process and client with the instrumentation switched off and on in alternating
// blocks, timed in CPU time (process.cpuUsage: GC threads included, other processes excluded).
// Far less noisy than comparing processes; only for instrumentations that can be disabled in place.
const paired = {};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function block(fn, n) {
  const start = process.cpuUsage();
  for (let k = 0; k < n; k++) await fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / n;
}
if (switchable.length > 0) {
  for (const c of cases.filter((x) => x.paired)) {
    const diffs = [];
    const blocks = Number(args.blocks);
    for (let b = 0; b < blocks + 2; b++) {
      const times = {};
      for (const on of b % 2 === 0 ? [true, false] : [false, true]) {
        for (const i of switchable) on ? i.enable() : i.disable();
        times[on] = await block(c.fn, c.paired);
      }
      if (b >= 2) diffs.push(times.true - times.false);
    }
    for (const i of switchable) i.enable();
    paired[c.name] = median(diffs);
  }
}

// Log records and spans the bounded export queues dropped (the `-signals` variants): records dropped
// cost less than records exported, so a run that drops understates the cost of logs and spans.
const dropped = (await recordedCounts(reader)).llm_otel_dropped_events_total ?? 0;

writeFileSync(args.out, JSON.stringify({ variant, results, paired, dropped }));
process.exit(0);
