/**
 * Captures one real OTLP metrics export of the example service (examples/llm-service: real openai
 * and Anthropic clients, `--import @llm-otel/node/register`, no telemetry code) against the model
 * simulator, after it served calls to 2 providers x 3 models: the bytes the load generator
 * replays (otlp-load-template.ts). The SDK sends them over OTLP/HTTP to a small receiver here,
 * which keeps the last body; the service is stopped with SIGTERM, so the last body is its final
 * flush, with every series the calls made.
 */
import { createServer, type Server } from 'node:http';
import { ModelSimulator } from '@llm-otel/model-simulator';
import { startLlmService } from './llm-service.js';
import { type ExportTemplate, PLACEHOLDER_INSTANCE, parseExportTemplate } from './otlp-load-template.js';
import { freePorts } from './processes.js';

/** The calls the example service makes before the capture: per provider, its operations and 3 models. */
export const CAPTURE_CALLS = {
  openai: { operations: ['openai.chat', 'openai.chat.stream'], models: ['gpt-4o-mini', 'gpt-4o', 'o4-mini'] },
  anthropic: {
    operations: ['anthropic.messages', 'anthropic.messages.stream'],
    models: ['claude-haiku-4-5', 'claude-sonnet-4-5', 'claude-opus-4-1'],
  },
} as const;

/** Rounds of calls (each round: every operation x model once). */
const ROUNDS = 8;

/** An OTLP/HTTP metrics receiver that answers 200 and keeps the last request body. */
async function startCaptureReceiver(port: number): Promise<{ server: Server; last: () => Buffer | undefined }> {
  let last: Buffer | undefined;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/metrics') last = Buffer.concat(chunks);
      // An empty ExportMetricsServiceResponse.
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, last: () => last };
}

/**
 * Runs the example service for a few seconds of calls and returns its final export, parsed.
 * `logDir` gets the service's log.
 */
export async function captureServiceExport(repoRoot: string, logDir: string): Promise<ExportTemplate> {
  const [receiverPort, appPort, directPort] = (await freePorts(3)) as [number, number, number];
  const receiver = await startCaptureReceiver(receiverPort);
  const simulator = new ModelSimulator({ seed: 11 });
  const modelUrl = await simulator.start();
  try {
    const { service, url } = await startLlmService({
      repoRoot,
      logDir,
      serviceName: 'llm-service',
      port: appPort,
      directMetricsPort: directPort,
      otlpPort: receiverPort,
      modelUrl,
      exportIntervalMs: 1000,
      extraEnv: {
        OTEL_RESOURCE_ATTRIBUTES: `service.namespace=capacity,deployment.environment.name=prod,service.version=1.4.2,service.instance.id=${PLACEHOLDER_INSTANCE}`,
        OTEL_TRACES_EXPORTER: 'none',
        OTEL_LOGS_EXPORTER: 'none',
      },
    });
    for (let round = 0; round < ROUNDS; round++) {
      const calls: Array<Promise<unknown>> = [];
      for (const { operations, models } of Object.values(CAPTURE_CALLS))
        for (const operation of operations)
          for (const model of models)
            calls.push(
              fetch(`${url}/ask`, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify({ operation, model, prompt: `Summarise release ${round} in two sentences.` }),
              }).then((r) => r.text()),
            );
      await Promise.all(calls);
    }
    // SIGTERM: the service flushes its metrics before it exits; that export is the last body.
    await service.stop();
  } finally {
    await simulator.stop();
    await new Promise((r) => receiver.server.close(r));
  }
  const body = receiver.last();
  if (body === undefined) throw new Error('the example service sent no OTLP metrics export');
  return parseExportTemplate(body, PLACEHOLDER_INSTANCE);
}
