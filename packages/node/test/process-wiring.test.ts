import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LATE_PROVIDER_WARNING } from '../src/diagnostics.js';
import { lastJson, type NodeRun, runNode } from './run-node.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** Runs `node --require @llm-otel/node/register <fixture>` to its end; port 0 keeps runs apart. */
function run(file: string, env: Record<string, string | undefined>): Promise<NodeRun> {
  return runNode(['--require', '@llm-otel/node/register', fixture(file)], {
    OTEL_METRICS_EXPORTER: 'prometheus',
    OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
    OTEL_EXPORTER_PROMETHEUS_PORT: '0',
    OTEL_LOG_LEVEL: undefined,
    OTEL_SDK_DISABLED: undefined,
    ...env,
  });
}

describe('process wiring of --require @llm-otel/node/register', () => {
  it("warns once, with the fix, when the app's own SDK then fails to register its MeterProvider", async () => {
    const { code, stdout, stderr } = await run('late-sdk-app.cjs', {});
    expect(code).toBe(0);
    expect(lastJson(stdout)).toEqual({ accepted: false });
    const hits = stderr.split('another MeterProvider tried to become the global one').length - 1;
    expect(hits, stderr).toBe(1);
    expect(stderr).toContain(LATE_PROVIDER_WARNING);
  });

  it('sets up nothing under OTEL_SDK_DISABLED=true and says so once', async () => {
    const { code, stdout, stderr } = await run('startup-probe.cjs', { OTEL_SDK_DISABLED: 'true' });
    expect(code, stderr).toBe(0);
    expect(lastJson(stdout)).toMatchObject({
      globalProvider: 'NoopMeterProvider',
      registered: true,
      meterProvider: false,
    });
    expect(stderr.split('OTEL_SDK_DISABLED=true').length - 1).toBe(1);
  });

  it('logs diagnostics at OTEL_LOG_LEVEL through the console (dropped input shows)', async () => {
    const quiet = await run('startup-probe.cjs', {});
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stdout + quiet.stderr).not.toContain('startup-probe: a debug line');
    expect(quiet.stdout + quiet.stderr).not.toContain('@llm-otel:');

    const verbose = await run('startup-probe.cjs', { OTEL_LOG_LEVEL: 'debug' });
    expect(verbose.code, verbose.stderr).toBe(0);
    expect(verbose.stdout + verbose.stderr).toContain('startup-probe: a debug line');
    expect(verbose.stdout + verbose.stderr).toMatch(/@llm-otel: .*reported once/);

    const warnOnly = await run('startup-probe.cjs', { OTEL_LOG_LEVEL: 'warn' });
    expect(warnOnly.stdout + warnOnly.stderr).not.toContain('startup-probe: a debug line');
    expect(warnOnly.stdout + warnOnly.stderr).toMatch(/@llm-otel: .*reported once/);
  });

  it('rejects an OTEL_LOG_LEVEL it does not know, naming the variable', async () => {
    const { code, stderr } = await run('startup-probe.cjs', { OTEL_LOG_LEVEL: 'loud' });
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/LlmOtelConfigError: OTEL_LOG_LEVEL="loud" is not valid; accepted: NONE, ERROR/);
  });

  it('does not load the OTLP exporters when only Prometheus is configured', async () => {
    const prometheusOnly = await run('startup-probe.cjs', {});
    expect(prometheusOnly.code, prometheusOnly.stderr).toBe(0);
    expect(lastJson(prometheusOnly.stdout)).toMatchObject({ otlpLoaded: false, meterProvider: true });
  });

  it("leaves the diag logger slot to the app when OTEL_LOG_LEVEL is unset (no 'logger will be overwritten' warning)", async () => {
    const { code, stdout, stderr } = await run('own-diag-logger.cjs', {});
    expect(code, stderr).toBe(0);
    expect(lastJson(stdout)).toEqual({ seen: [] });
  });
});
