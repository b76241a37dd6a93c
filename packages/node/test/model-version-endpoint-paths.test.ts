import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:http';
import { ModelRegistry } from '@llm-otel/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModelVersionHandler } from '../src/index.js';

const registry = new ModelRegistry();
registry.registerModel({ modelName: 'mistral', version: 'v1.1.0', modelHash: 'sha256:77aa01fe' });
const handler = createModelVersionHandler({ registry });
const prefix = '/api/v1/models/version';

/** A request the handler can only answer by writing to `res`; returns what it wrote. */
function call(url: string, method = 'GET'): { handled: boolean; status: number | undefined; body: string } {
  let status: number | undefined;
  let body = '';
  const res = {
    headersSent: false,
    writeHead(code: number) {
      status = code;
      this.headersSent = true;
      return this;
    },
    end(chunk?: string) {
      body += chunk ?? '';
      return this;
    },
  };
  const req = { url, method, headers: {} };
  const handled = handler(req as unknown as IncomingMessage, res as unknown as ServerResponse);
  return { handled, status, body };
}

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (!handler(req, res)) res.writeHead(404).end('not mine');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const a = server.address();
  base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});

afterAll(() => server.close());

describe('model version endpoint: request paths', () => {
  it('declines a path outside its prefix before parsing or normalising it', () => {
    // `new URL()` throws on this request target: the handler must decline it without parsing it,
    // which is also what keeps every foreign path O(prefix length) for the handler.
    expect(call('//a:99999/x')).toEqual({ handled: false, status: undefined, body: '' });
    expect(call(`${'/'.repeat(1_000_000)}x`).handled).toBe(false);
    expect(call(`${prefix}x`).handled).toBe(false);
    expect(call('/api/v1/models').handled).toBe(false);
  });

  it('answers a huge path under its prefix (trailing slashes trimmed, over-long names unknown)', async () => {
    expect(call(`${prefix}/mistral${'/'.repeat(1_000_000)}`)).toMatchObject({ handled: true, status: 200 });
    expect(call(`${prefix}${'/'.repeat(1_000_000)}x`)).toMatchObject({ handled: true, status: 404 });
    expect(call(`${prefix}/${'%'.repeat(1_000_000)}`)).toMatchObject({ handled: true, status: 404 });
    const listing = await fetch(`${base}${prefix}${'/'.repeat(15_000)}`);
    expect(listing.status).toBe(200);
    expect(((await listing.json()) as { models: unknown[] }).models).toHaveLength(1);
    const foreign = await fetch(`${base}/${'/'.repeat(15_000)}x`);
    expect(await foreign.text()).toBe('not mine');
  });

  it('keeps the query string out of the name', () => {
    expect(call(`${prefix}/mistral?x=1`)).toMatchObject({ handled: true, status: 200 });
    expect(call(`${prefix}?x=/`)).toMatchObject({ handled: true, status: 200 });
  });
});
