// Logs and spans on, for the `*-signals` variants: register() of @llm-otel/node sets up its logs and
// traces pipelines (a LoggerProvider and a BasicTracerProvider, each with its bounded batch processor
// and the OTLP/HTTP protobuf exporter) exactly as `OTEL_LOGS_EXPORTER=otlp OTEL_TRACES_EXPORTER=otlp`
// would, exporting to a local sink that discards (otlp-sink.mjs, a process of its own). The MeterProvider
// of setup.mjs is already the global one, so register() creates no metrics exporter and only enables
// the instrumentations it is given: ours, or instrumentation-openai, into the same two pipelines.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** Starts the discarding OTLP receiver; resolves with its base URL once it listens. */
async function startSink() {
  const sink = spawn(process.execPath, [join(here, 'otlp-sink.mjs')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [line] = await once(createInterface({ input: sink.stdout }), 'line');
  // The sink stops when this process's end of its stdin closes: at exit, whatever the exit path; it
  // does not keep this process alive.
  for (const handle of [sink, sink.stdin, sink.stdout]) handle.unref();
  return `http://127.0.0.1:${line.trim()}`;
}

/**
 * Enables `instrumentations` with register()'s logs and traces on (content capture off, the default).
 * Resolves once both SDKs are loaded and their providers are the global ones.
 */
export async function setUpSignals(instrumentations) {
  const endpoint = await startSink();
  const { register } = require('@llm-otel/node');
  // A queue larger than the default 2048: the cases call thousands of times a second, and a record
  // dropped costs less than one exported (the worker reports the drops).
  const signal = { exporter: 'otlp', protocol: 'http/protobuf', endpoint, maxQueueSize: 16384 };
  const handle = register({
    instrumentations,
    logs: signal,
    traces: signal,
    callEvents: { captureContent: false },
  });
  await handle.ready;
  return handle;
}
