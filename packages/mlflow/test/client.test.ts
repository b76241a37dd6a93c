// The typed client against a real MLflow server, and its failures against servers that misbehave.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isNotFound, MlflowClient, MlflowError } from '../src/index.js';
import { freePort, type MlflowServer, startMlflowServer } from './utils/mlflow-server.js';

let mlflow: MlflowServer;
let client: MlflowClient;

beforeAll(async () => {
  mlflow = await startMlflowServer();
  client = new MlflowClient({ trackingUri: mlflow.url }, {});
}, 120_000);

afterAll(async () => {
  await mlflow?.stop();
});

/** A local HTTP server for the failure cases; `answer` decides per request. */
async function fakeServer(answer: (req: { headers: IncomingHttpHeaders; url: string }) => [number, string] | 'hang') {
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const reply = answer({ headers: req.headers, url: req.url ?? '' });
    if (reply === 'hang') return;
    res.writeHead(reply[0], { 'content-type': 'application/json' }).end(reply[1]);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('MlflowClient against MLflow 3.17', () => {
  it('creates and reads a registered model, a tagged version and an alias', async () => {
    const created = await client.createRegisteredModel('client-model', [{ key: 'team', value: 'ml' }]);
    expect(created).toMatchObject({ name: 'client-model', tags: [{ key: 'team', value: 'ml' }] });
    const version = await client.createModelVersion('client-model', 'llm-otel://client-model/v1', [
      { key: 'llm_otel.version', value: 'v1' },
    ]);
    expect(version).toMatchObject({ name: 'client-model', version: '1', source: 'llm-otel://client-model/v1' });
    await client.setModelVersionTag('client-model', '1', 'extra', 'yes');
    await client.setRegisteredModelTag('client-model', 'owner', 'llm-otel');
    await client.setRegisteredModelAlias('client-model', 'production', '1');

    const byAlias = await client.getModelVersionByAlias('client-model', 'production');
    expect(byAlias.version).toBe('1');
    expect(byAlias.tags).toEqual(
      expect.arrayContaining([
        { key: 'llm_otel.version', value: 'v1' },
        { key: 'extra', value: 'yes' },
      ]),
    );
    const model = await client.getRegisteredModel('client-model');
    expect(model.aliases).toEqual([{ alias: 'production', version: '1' }]);
    expect(model.tags).toEqual(expect.arrayContaining([{ key: 'owner', value: 'llm-otel' }]));
    expect((await client.getModelVersion('client-model', '1')).tags).toHaveLength(2);
    const found = await client.searchModelVersions("name = 'client-model' AND tags.`llm_otel.version` = 'v1'");
    expect(found.map((v) => v.version)).toEqual(['1']);

    await client.deleteRegisteredModelAlias('client-model', 'production');
    const gone = await client.getModelVersionByAlias('client-model', 'production').catch((e: unknown) => e);
    expect(isNotFound(gone)).toBe(true);
  });

  it("fails with the HTTP status and MLflow's error_code", async () => {
    const missing = await client.getRegisteredModel('no-such-model').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(MlflowError);
    expect(missing).toMatchObject({ status: 404, errorCode: 'RESOURCE_DOES_NOT_EXIST', transient: false });
    expect((missing as Error).message).toMatch(
      /^MLflow GET registered-models\/get: HTTP 404 RESOURCE_DOES_NOT_EXIST: /,
    );
    expect(isNotFound(missing)).toBe(true);

    await client.createRegisteredModel('twice');
    const again = await client.createRegisteredModel('twice').catch((e: unknown) => e);
    expect(again).toMatchObject({ status: 400, errorCode: 'RESOURCE_ALREADY_EXISTS' });
    expect(isNotFound(again)).toBe(false);
  });

  it('sends names with any characters as data, not as a path or a query', async () => {
    const name = 'a b?c=d&e #f%2F';
    await client.createRegisteredModel(name);
    expect((await client.getRegisteredModel(name)).name).toBe(name);
  });
});

describe('MlflowClient failures without an MLflow answer', () => {
  it('a refused connection is UNREACHABLE (status 0, transient)', async () => {
    const port = await freePort();
    const down = new MlflowClient({ trackingUri: `http://127.0.0.1:${port}` }, {});
    const error = await down.getRegisteredModel('m').catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 0, errorCode: 'UNREACHABLE', transient: true });
  });

  it('a server that does not answer is a TIMEOUT after timeoutMs', async () => {
    const server = await fakeServer(() => 'hang');
    try {
      const slow = new MlflowClient({ trackingUri: server.url, timeoutMs: 100 }, {});
      const error = await slow.getRegisteredModel('m').catch((e: unknown) => e);
      expect(error).toMatchObject({ status: 0, errorCode: 'TIMEOUT', transient: true });
    } finally {
      await server.close();
    }
  });

  it('a proxy error page keeps its status, a short detail, and is transient for 5xx', async () => {
    const server = await fakeServer(() => [502, `<html>${'x'.repeat(10_000)}</html>`]);
    try {
      const error = await new MlflowClient({ trackingUri: server.url }, {})
        .getRegisteredModel('m')
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ status: 502, errorCode: 'HTTP_502', transient: true });
      expect((error as Error).message.length).toBeLessThan(400);
    } finally {
      await server.close();
    }
  });

  it('a 200 that is not JSON is BAD_RESPONSE', async () => {
    const server = await fakeServer(() => [200, 'not json']);
    try {
      const error = await new MlflowClient({ trackingUri: server.url }, {})
        .getRegisteredModel('m')
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ errorCode: 'BAD_RESPONSE' });
    } finally {
      await server.close();
    }
  });

  it('sends the bearer token or basic auth of the settings, and the path prefix', async () => {
    const seen: Array<[string | undefined, string]> = [];
    const server = await fakeServer(({ headers, url }) => {
      seen.push([headers.authorization, url]);
      return [200, '{"registered_model":{"name":"m"}}'];
    });
    try {
      await new MlflowClient(
        { trackingUri: `${server.url}/mlflow/` },
        { MLFLOW_TRACKING_TOKEN: 't0k' },
      ).getRegisteredModel('m');
      await new MlflowClient(
        { trackingUri: server.url },
        { MLFLOW_TRACKING_USERNAME: 'alice', MLFLOW_TRACKING_PASSWORD: 'pw' },
      ).getRegisteredModel('m');
      expect(seen).toEqual([
        ['Bearer t0k', '/mlflow/api/2.0/mlflow/registered-models/get?name=m'],
        [`Basic ${Buffer.from('alice:pw').toString('base64')}`, '/api/2.0/mlflow/registered-models/get?name=m'],
      ]);
    } finally {
      await server.close();
    }
  });
});
