/**
 * An HTTP service with LLM features. It has no telemetry code: start it with
 * `node --import @llm-otel/node/register dist/main.js` and every openai, ollama and Anthropic call is measured.
 *
 *   POST /ask {"operation": "openai.chat", "model": "gpt-4o-mini", "prompt": "..."}
 *   GET  /api/v1/models/version[/name]     the model registry
 *   POST /api/v1/models {"modelName", "version", "modelHash"}   a deploy hook: registers a version
 *   GET  /healthz, GET /debug/memory
 *
 * Variables: PORT (8080), OPENAI_BASE_URL, OPENAI_API_KEY, OLLAMA_HOST, ANTHROPIC_BASE_URL,
 * ANTHROPIC_API_KEY; drift detection with LLM_OTEL_DRIFT_DETECTION=true, its windows with
 * DRIFT_REFERENCE_SIZE, DRIFT_WINDOW_SIZE (and DRIFT_WARMUP); prices with LLM_OTEL_PRICES_FILE
 * (against the model simulator, whose OpenAI API on loopback costs 0 unless priced:
 * simulator-prices.json prices its models at OpenAI's and Anthropic's list prices).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { getDriftMonitor, getLlmMetrics, getModelRegistry, type ModelRegistration } from '@llm-otel/core';
import { createModelVersionHandler, getRegistration } from '@llm-otel/node';
import { createClients, OPERATIONS, type Operation, runOperation } from './llm-calls.js';

const clients = createClients();
/** The model of a request that names none, by client. */
const DEFAULT_MODELS = {
  openai: 'gpt-4o-mini',
  ollama: 'mistral',
  anthropic: 'claude-haiku-4-5',
} as const;
const versions = createModelVersionHandler({ publicMetadataKeys: ['owner'] });
getModelRegistry().registerModel({
  modelName: 'mistral',
  version: 'v1.0.0',
  modelHash: 'sha256:5f1c3a9e',
  metadata: { owner: 'search' },
});
getModelRegistry().registerModel({ modelName: 'gpt-4o-mini', version: '2024-07-18', modelHash: 'sha256:9b0d77c2' });

if (process.env.DRIFT_REFERENCE_SIZE || process.env.DRIFT_WINDOW_SIZE) {
  const referenceSize = Number(process.env.DRIFT_REFERENCE_SIZE ?? 1000);
  const windowSize = Number(process.env.DRIFT_WINDOW_SIZE ?? 500);
  getDriftMonitor({
    // Small windows are for tests and demos of a few calls: no cold-start warm-up unless asked.
    warmup: Number(process.env.DRIFT_WARMUP ?? 0),
    referenceSize,
    windowSize,
    minSamples: Math.min(100, windowSize),
    evaluateEvery: Math.max(1, Math.floor(windowSize / 5)),
  });
}
getDriftMonitor().onDrift((e) =>
  console.log(`drift detected: ${e.metric} of ${e.model} (p=${e.pValue.toExponential(2)}, PSI=${e.psi.toFixed(2)})`),
);

const json = (res: ServerResponse, status: number, body: unknown) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(`${JSON.stringify(body)}\n`);

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
}

async function ask(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  const operation = body.operation as Operation;
  if (!OPERATIONS.includes(operation)) {
    json(res, 400, { error: `operation must be one of ${OPERATIONS.join(', ')}` });
    return;
  }
  const client = operation.slice(0, operation.indexOf('.')) as keyof typeof DEFAULT_MODELS;
  const model = typeof body.model === 'string' ? body.model : DEFAULT_MODELS[client];
  const prompt = typeof body.prompt === 'string' ? body.prompt : 'Summarise the release notes in two sentences.';
  try {
    const text = await runOperation(clients, operation, model, prompt);
    if (operation.includes('chat') || operation.startsWith('anthropic.messages')) {
      // The service's summarization feature: its summary length and a cheap quality proxy.
      const words = text.split(/\s+/).filter(Boolean).length;
      getLlmMetrics().recordSummarizationLength(words, { model, task: 'summarization' });
      getLlmMetrics().recordQualityScore(Math.min(1, words / 100), { model, task: 'summarization' });
    }
    json(res, 200, { ok: true, operation, model, text: text.slice(0, 200) });
  } catch (error) {
    const status =
      (error as { status?: number; status_code?: number }).status ?? (error as { status_code?: number }).status_code;
    json(res, 502, { ok: false, operation, model, error: String(error), upstreamStatus: status ?? null });
  }
}

const server = createServer((req, res) => {
  if (versions(req, res)) return;
  if (req.method === 'POST' && req.url === '/ask') {
    ask(req, res).catch((error: unknown) => json(res, 500, { error: String(error) }));
  } else if (req.method === 'POST' && req.url === '/api/v1/models') {
    readBody(req)
      .then((body) => {
        const info = getModelRegistry().registerModel(body as unknown as ModelRegistration);
        json(res, 201, { name: info.modelName, version: info.version, hash: info.modelHash });
      })
      .catch((error: unknown) => json(res, 400, { error: String(error) }));
  } else if (req.url === '/healthz') {
    json(res, 200, { ok: true });
  } else if (req.url === '/debug/memory') {
    json(res, 200, process.memoryUsage());
  } else {
    json(res, 404, { error: 'not found' });
  }
});

// Idle keep-alive connections outlive the clients' own idle timeout (clients close first), so a
// request never races the server closing its socket; 65 s is the usual choice behind proxies.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;

const port = Number(process.env.PORT ?? 8080);
server.listen(port, process.env.HOST ?? '127.0.0.1', () => {
  const address = server.address();
  console.log(
    `llm-service listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`,
  );
});
// Graceful stop: stop taking requests, flush the metrics (OTLP), exit.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    server.close();
    server.closeIdleConnections();
    void (getRegistration()?.shutdown() ?? Promise.resolve()).finally(() => process.exit(0));
  });
}
