/**
 * The stores of `pnpm demo:stack`: started when built, left out with build instructions when not
 * (the demo goes on with metrics only), and what it prints to find a call.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { EXAMPLE_MODEL, findACall, startStores } from '../src/demo-stores.js';
import { stopAll } from '../src/processes.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const workDir = mkdtempSync(join(tmpdir(), 'llm-otel-demo-stores-'));

afterAll(async () => {
  await stopAll();
});

describe('demo:stack stores', () => {
  it('says how to build the stores when they are missing, and goes on without them', async () => {
    const lines: string[] = [];
    const emptyRepo = mkdtempSync(join(tmpdir(), 'llm-otel-no-stores-'));
    const stores = await startStores(emptyRepo, workDir, (line) => lines.push(line));
    expect(stores).toEqual({});
    expect(lines.join('\n')).toContain('pnpm stores:build');
    expect(lines.join('\n')).toContain('Continuing with metrics only');
    expect(findACall('llm-service', stores)).toBe('');
  });

  it('starts Jaeger and VictoriaLogs when built, and prints their URLs and how to find a call', async () => {
    const lines: string[] = [];
    const stores = await startStores(repoRoot, workDir, (line) => lines.push(line));
    expect(lines).toEqual([]);
    if (!stores.jaeger || !stores.logs) throw new Error('a store did not start');
    expect((await fetch(`${stores.logs.url}/select/vmui/`)).status).toBe(200);
    expect((await fetch(`${stores.jaeger.url}/api/services`)).status).toBe(200);
    const printed = findACall('llm-service', stores);
    expect(printed).toContain(`${stores.logs.url}/select/vmui/`);
    expect(printed).toContain(`gen_ai.request.model:="${EXAMPLE_MODEL}"`);
    expect(printed).toContain(`${stores.jaeger.url}/api/traces/<trace_id>`);
    expect(printed).toContain(`${stores.jaeger.url}/api/traces?service=llm-service`);
  }, 120_000);
});
