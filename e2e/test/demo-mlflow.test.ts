/**
 * MLflow in `pnpm demo:stack`: left out with set-up instructions when the venv is missing; otherwise
 * started from it, answering /health, and the example service pointed at it (the variables demo:stack
 * gives it) sends its calls' traces to the demo's experiment. The server's whole process group stops.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelSimulator } from '@llm-otel/model-simulator';
import { afterAll, describe, expect, it } from 'vitest';
import { startLlmService } from '../src/llm-service.js';
import {
  DEMO_EXPERIMENT,
  type DemoMlflow,
  experimentId,
  mlflowServiceEnv,
  mlflowWhereToLook,
  printMlflowTraces,
  startDemoMlflow,
  traceCount,
} from '../src/mlflow.js';
import { eventually, freePorts, stopAll } from '../src/processes.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const workDir = mkdtempSync(join(tmpdir(), 'llm-otel-demo-mlflow-'));
const simulator = new ModelSimulator({ rateLimitRate: 0, serverErrorRate: 0 });
let mlflow: DemoMlflow | undefined;

afterAll(async () => {
  await Promise.all([stopAll(), mlflow?.stop(), simulator.stop()]);
});

describe('demo:stack MLflow', () => {
  it('says how to set MLflow up when the venv is missing, and goes on without it', async () => {
    const lines: string[] = [];
    const [port] = (await freePorts(1)) as [number];
    const missing = await startDemoMlflow(port, workDir, (line) => lines.push(line), {
      LLM_OTEL_MLFLOW_VENV: join(workDir, 'no-venv'),
    });
    expect(missing).toBeUndefined();
    expect(lines.join('\n')).toContain('pnpm mlflow:setup');
    expect(lines.join('\n')).toContain('Continuing without MLflow');
  });

  it("starts MLflow from the venv; the service sends it its calls' traces; stop() ends its process group", async () => {
    const lines: string[] = [];
    const [mlflowPort, appPort, directPort, otlpPort] = (await freePorts(4)) as [number, number, number, number];
    mlflow = await startDemoMlflow(mlflowPort, workDir, (line) => lines.push(line));
    expect(lines).toEqual([]);
    if (!mlflow) throw new Error('MLflow did not start');
    expect((await fetch(`${mlflow.url}/health`)).status).toBe(200);
    expect(mlflowWhereToLook(mlflow)).toContain(mlflow.url);

    const modelUrl = await simulator.start();
    const { url } = await startLlmService({
      repoRoot,
      logDir: workDir,
      serviceName: 'llm-service',
      port: appPort,
      directMetricsPort: directPort,
      // No collector here: the metrics push fails quietly; the traces go to MLflow only.
      otlpPort,
      modelUrl,
      exportIntervalMs: 60_000,
      extraEnv: { ...mlflowServiceEnv(mlflow), OTEL_BSP_SCHEDULE_DELAY: '200' },
    });
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${url}/ask`, {
        method: 'POST',
        body: JSON.stringify({ operation: 'openai.chat', model: 'o4-mini' }),
      });
      expect(response.status).toBe(200);
    }
    const id = await eventually('the demo experiment', 30_000, () => experimentId(mlflow!.url, DEMO_EXPERIMENT));
    await eventually('3 traces', 30_000, async () => ((await traceCount(mlflow!.url, id)) >= 3 ? true : undefined));
    const printed: string[] = [];
    await printMlflowTraces(mlflow, (line) => printed.push(line), 10_000);
    expect(printed.join('\n')).toContain(`${mlflow.url}/#/experiments/${id}/traces`);

    await mlflow.stop();
    await expect(fetch(`${mlflow.url}/health`)).rejects.toThrow();
  }, 180_000);
});
