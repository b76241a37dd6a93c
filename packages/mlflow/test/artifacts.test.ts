// Feature 3 against a real MLflow server (artifact proxy, --serve-artifacts): sampled calls'
// messages as JSONL artifacts of their variant's run, passed through the app's redaction hook and
// capped; prompt templates with their version; sampling, caps and content capture respected.
import { defineVariant, getLlmMetrics, type Variant } from '@llm-otel/core';
import { DiagLogLevel, diag, metrics } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type ArtifactOptions,
  downloadArtifact,
  listArtifacts,
  MlflowClient,
  MlflowConfigError,
  MlflowError,
  resolveArtifactSettings,
  startVariantTracking,
  type VariantTracking,
} from '../src/index.js';
import { type MlflowServer, startMlflowServer } from './utils/mlflow-server.js';
import { rest } from './utils/rest.js';

let mlflow: MlflowServer;
let client: MlflowClient;
let tracking: VariantTracking | undefined;
const infos: string[] = [];

beforeAll(async () => {
  mlflow = await startMlflowServer();
  client = new MlflowClient({ trackingUri: mlflow.url }, {});
  diag.setLogger(
    {
      error: (m) => infos.push(m),
      warn: (m) => infos.push(m),
      info: (m) => infos.push(m),
      debug: () => {},
      verbose: () => {},
    },
    DiagLogLevel.INFO,
  );
}, 120_000);

afterEach(async () => {
  await tracking?.stop();
  tracking = undefined;
  getLlmMetrics().configureCallEvents({ captureContent: undefined, redact: undefined });
});

afterAll(async () => {
  diag.disable();
  metrics.disable();
  await mlflow?.stop();
});

// What the app's redaction hook removes: it must appear nowhere in what MLflow stores.
const CARD = '4111-1111-1111-1111';
const API_KEY = 'sk-live-93bd1f0c';
const TEMPLATE_SECRET = 'internal-policy-7731';

function redact(text: string): string | undefined {
  if (text.includes('DROP-THIS-PART')) return undefined;
  return text.replaceAll(CARD, '[card]').replaceAll(API_KEY, '[key]').replaceAll(TEMPLATE_SECRET, '[policy]');
}

function start(experimentName: string, artifacts: ArtifactOptions | boolean) {
  tracking = startVariantTracking(
    { trackingUri: mlflow.url, experimentName, serviceName: 'chat-api', flushIntervalMs: 3_600_000, artifacts },
    {},
  );
  return tracking;
}

/** One chat call as the openai instrumentation records it with content capture on. */
function call(variant: Variant, i: number, options: { answer?: string; error?: string } = {}) {
  getLlmMetrics().recordInference({
    provider: 'openai',
    operation: 'chat',
    model: 'gpt-4o-mini',
    durationSeconds: 0.25,
    inputTokens: 40,
    outputTokens: 12,
    error: options.error,
    variant,
    inputMessages: [
      { role: 'system', parts: [{ type: 'text', content: `Be brief. ${TEMPLATE_SECRET}` }] },
      { role: 'user', parts: [{ type: 'text', content: `question ${i}: my card is ${CARD}` }] },
      { role: 'user', parts: [{ type: 'text', content: 'DROP-THIS-PART entirely' }] },
    ],
    outputMessages: [
      {
        role: 'assistant',
        parts: [{ type: 'text', content: options.answer ?? `answer ${i}, use key ${API_KEY}` }],
        finish_reason: 'stop',
      },
    ],
  });
}

async function runOf(experimentName: string, variant: string) {
  const experiment = await rest(mlflow.url, 'GET', 'experiments/get-by-name', { experiment_name: experimentName });
  const id = (experiment.experiment as { experiment_id: string }).experiment_id;
  const body = await rest(mlflow.url, 'POST', 'runs/search', {
    experiment_ids: [id],
    filter: `tags.\`llm_otel.variant\` = '${variant}'`,
  } as never);
  const runs = (body.runs ?? []) as Array<{ info: { run_id: string; artifact_uri: string } }>;
  expect(runs).toHaveLength(1);
  return (runs[0] as { info: { run_id: string; artifact_uri: string } }).info;
}

/** Every file of a run's artifacts (recursively), with its downloaded text. */
async function allArtifacts(run: { run_id: string; artifact_uri: string }, path?: string) {
  const out = new Map<string, string>();
  for (const file of await listArtifacts(client, run.run_id, path)) {
    if (file.is_dir) for (const [p, t] of await allArtifacts(run, file.path)) out.set(p, t);
    else out.set(file.path, new TextDecoder().decode(await downloadArtifact(client, run.artifact_uri, file.path)));
  }
  return out;
}

const parseLines = (text: string) =>
  text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('artifact storage of the variants (opt-in)', () => {
  it('rate 1: every call up to the cap, as valid JSONL with the expected fields, redacted; the template with its version', async () => {
    getLlmMetrics().configureCallEvents({ captureContent: true, redact });
    const variant = defineVariant({
      name: 'art-concise',
      template: `Answer in one sentence: {question} (${TEMPLATE_SECRET})`,
      templateVersion: 'v3',
      temperature: 0.2,
    });
    const t = start('artifacts-exp', { sampleRate: 1, maxRecordsPerFlush: 5 });
    // The file takes 5 records: the first 5 calls are stored, the other 3 dropped and counted.
    for (let i = 0; i < 8; i++) call(variant, i, { error: i === 1 ? 'rate_limit' : undefined });
    await t.flushNow();
    expect(t.status().artifacts).toMatchObject({ sampled: 5, delivered: 5, files: 1, templates: 1, dropped: 3 });
    expect(t.status().artifacts).toMatchObject({ pendingRecords: 0, pendingBytes: 0 });

    // The next flush's file; a message longer than the capture's cap (8192 characters) is cut.
    call(variant, 100, { answer: 'long '.repeat(3000) });
    call(variant, 101);
    await t.flushNow();
    expect(t.status().artifacts).toMatchObject({ sampled: 7, delivered: 7, files: 2, templates: 1 });

    const run = await runOf('artifacts-exp', 'art-concise');
    const files = await allArtifacts(run);
    const names = [...files.keys()].sort();
    expect(names).toHaveLength(3);
    expect(names[0]).toBe('prompts/art-concise/v3.json');
    expect(names[1]).toMatch(/^samples\/art-concise\/\d{8}T\d{9}Z-1\.jsonl$/);
    expect(names[2]).toMatch(/^samples\/art-concise\/\d{8}T\d{9}Z-2\.jsonl$/);

    const first = parseLines(files.get(names[1] as string) as string);
    expect(first).toHaveLength(5);
    expect(first[1]).toEqual({
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      variant: 'art-concise',
      model: 'gpt-4o-mini',
      input_messages: [
        { role: 'system', parts: [{ type: 'text', content: 'Be brief. [policy]' }] },
        { role: 'user', parts: [{ type: 'text', content: 'question 1: my card is [card]' }] },
        // The hook left this text out: the part stays, without content.
        { role: 'user', parts: [{ type: 'text' }] },
      ],
      output_messages: [
        { role: 'assistant', parts: [{ type: 'text', content: 'answer 1, use key [key]' }], finish_reason: 'stop' },
      ],
      input_tokens: 40,
      output_tokens: 12,
      duration_seconds: 0.25,
      'error.type': 'rate_limit',
    });
    expect(first.map((r) => r['error.type'])).toEqual([null, 'rate_limit', null, null, null]);
    const second = parseLines(files.get(names[2] as string) as string);
    expect(second).toHaveLength(2);
    const long = second[0] as {
      output_messages: Array<{ parts: Array<{ content: string }> }>;
      content_truncated?: boolean;
    };
    expect(long.output_messages[0]?.parts[0]?.content).toHaveLength(8192);
    expect(long.content_truncated).toBe(true);

    const template = JSON.parse(files.get('prompts/art-concise/v3.json') as string);
    expect(template).toEqual({
      variant: 'art-concise',
      template_version: 'v3',
      template_hash: variant.templateHash,
      template: 'Answer in one sentence: {question} ([policy])',
    });

    // What the hook removed is in none of the stored bytes.
    const everything = [...files.values()].join('\n');
    for (const removed of [CARD, API_KEY, TEMPLATE_SECRET, 'DROP-THIS-PART']) expect(everything).not.toContain(removed);
    expect(everything).toContain('[card]');
  }, 60_000);

  it('rate 0: no sample file; a variant without a template stores nothing at all', async () => {
    getLlmMetrics().configureCallEvents({ captureContent: true, redact });
    const variant = defineVariant({ name: 'art-none', templateVersion: 'v1' });
    const t = start('artifacts-exp', { sampleRate: 0 });
    for (let i = 0; i < 50; i++) call(variant, i);
    await t.flushNow();
    expect(t.status()).toMatchObject({ runs: 1, delivered: 1 });
    expect(t.status().artifacts).toMatchObject({ sampled: 0, files: 0, templates: 0, dropped: 0 });
    expect(await listArtifacts(client, (await runOf('artifacts-exp', 'art-none')).run_id)).toEqual([]);
  }, 60_000);

  it('sampling: about the asked share of the calls is stored', async () => {
    getLlmMetrics().configureCallEvents({ captureContent: true, redact });
    const variant = defineVariant({ name: 'art-half' });
    const t = start('artifacts-exp', { sampleRate: 0.25, maxRecordsPerFlush: 1000 });
    for (let i = 0; i < 800; i++) call(variant, i);
    await t.flushNow();
    const { sampled, delivered, dropped } = t.status().artifacts ?? { sampled: -1, delivered: -1, dropped: -1 };
    // Binomial(800, 0.25): mean 200, standard deviation 12.2; this range is over 6 of them.
    expect(sampled).toBeGreaterThan(125);
    expect(sampled).toBeLessThan(275);
    expect(delivered).toBe(sampled);
    expect(dropped).toBe(0);
    const files = await allArtifacts(await runOf('artifacts-exp', 'art-half'));
    expect(parseLines([...files.values()].join(''))).toHaveLength(sampled);
  }, 60_000);

  it('the byte cap per file: records that do not fit are dropped and counted', async () => {
    getLlmMetrics().configureCallEvents({ captureContent: true, redact });
    const variant = defineVariant({ name: 'art-bytes' });
    const t = start('artifacts-exp', { sampleRate: 1, maxRecordsPerFlush: 100, maxBytes: 4096 });
    // Each record is a little over 1500 bytes: two fit in 4096.
    for (let i = 0; i < 6; i++) call(variant, i, { answer: 'x'.repeat(1200) });
    await t.flushNow();
    expect(t.status().artifacts).toMatchObject({ sampled: 2, delivered: 2, dropped: 4, files: 1 });
    const files = await allArtifacts(await runOf('artifacts-exp', 'art-bytes'));
    const [text] = [...files.values()];
    expect(Buffer.byteLength(text as string)).toBeLessThanOrEqual(4096);
    expect(parseLines(text as string)).toHaveLength(2);
  }, 60_000);

  it('content capture off: no call content leaves (no sample records), only the template; said once', async () => {
    getLlmMetrics().configureCallEvents({ captureContent: false, redact });
    const variant = defineVariant({ name: 'art-off', template: 'Summarize: {text}', templateHash: 'sha256:abc' });
    const t = start('artifacts-exp', { sampleRate: 1 });
    for (let i = 0; i < 20; i++) call(variant, i, { answer: 'completion-text-e91c' });
    await t.flushNow();
    expect(t.status().artifacts).toMatchObject({ sampled: 0, files: 0, templates: 1, dropped: 0 });
    const files = await allArtifacts(await runOf('artifacts-exp', 'art-off'));
    expect([...files.keys()]).toEqual(['prompts/art-off/sha256_abc.json']);
    const everything = [...files.values()].join('\n');
    for (const content of ['completion-text-e91c', 'question', 'Be brief', CARD])
      expect(everything).not.toContain(content);
    expect(infos.filter((m) => m.includes('content capture is off'))).toHaveLength(1);
  }, 60_000);

  it('artifacts off (the default): nothing is stored and core is not asked for content', async () => {
    getLlmMetrics().configureCallEvents({ captureContent: true, redact });
    const variant = defineVariant({ name: 'art-default', template: 'T {x}', templateVersion: 'v1' });
    const t = start('artifacts-exp', false);
    expect(getLlmMetrics().capturesCallContent()).toBe(false);
    for (let i = 0; i < 5; i++) call(variant, i);
    await t.flushNow();
    expect(t.status().artifacts).toBeUndefined();
    expect(await listArtifacts(client, (await runOf('artifacts-exp', 'art-default')).run_id)).toEqual([]);
  }, 60_000);
});

describe('a server without the artifact proxy', () => {
  it('refuses the store: samples and templates dropped and counted, logged once, metrics still delivered', async () => {
    const plain = await startMlflowServer({ serveArtifacts: false });
    try {
      getLlmMetrics().configureCallEvents({ captureContent: true, redact });
      const variant = defineVariant({ name: 'art-noproxy', template: 'Q: {q}', templateVersion: 'v1' });
      tracking = startVariantTracking(
        { trackingUri: plain.url, experimentName: 'noproxy', flushIntervalMs: 3_600_000, artifacts: { sampleRate: 1 } },
        {},
      );
      for (let i = 0; i < 3; i++) call(variant, i);
      await tracking.flushNow();
      for (let i = 0; i < 2; i++) call(variant, i);
      await tracking.flushNow();
      expect(tracking.status()).toMatchObject({ reachable: true, runs: 1, delivered: 2, dropped: 0 });
      // The template (refused once, not retried) and the 5 records of the two flushes.
      expect(tracking.status().artifacts).toMatchObject({ sampled: 5, delivered: 0, templates: 0, dropped: 6 });
      expect(tracking.status().artifacts).toMatchObject({ pendingRecords: 0, pendingBytes: 0 });
      expect(tracking.status().lastError).toMatch(/--serve-artifacts/);
      expect(infos.filter((m) => m.includes('store artifacts of variant art-noproxy failed'))).toHaveLength(1);
    } finally {
      await tracking?.stop();
      tracking = undefined;
      await plain.stop();
    }
  }, 120_000);
});

describe('artifact settings and the artifact client', () => {
  it('reads the variables and names a bad option or variable', () => {
    expect(resolveArtifactSettings(undefined, {})).toBeUndefined();
    expect(
      resolveArtifactSettings(undefined, {
        LLM_OTEL_MLFLOW_ARTIFACTS: 'true',
        LLM_OTEL_MLFLOW_ARTIFACT_SAMPLE_RATE: '0.5',
        LLM_OTEL_MLFLOW_ARTIFACT_MAX_RECORDS: '20',
      }),
    ).toEqual({ sampleRate: 0.5, maxRecordsPerFlush: 20, maxBytes: 1_048_576, maxBufferBytes: 8_388_608 });
    expect(() => resolveArtifactSettings(undefined, { LLM_OTEL_MLFLOW_ARTIFACTS: 'maybe' })).toThrow(
      /LLM_OTEL_MLFLOW_ARTIFACTS/,
    );
    expect(() =>
      resolveArtifactSettings(undefined, {
        LLM_OTEL_MLFLOW_ARTIFACTS: 'true',
        LLM_OTEL_MLFLOW_ARTIFACT_SAMPLE_RATE: '2',
      }),
    ).toThrow(/LLM_OTEL_MLFLOW_ARTIFACT_SAMPLE_RATE must be a number from 0 to 1/);
    expect(() => resolveArtifactSettings({ enabled: true, maxBytes: 10 }, {})).toThrow(MlflowConfigError);
    expect(() => resolveArtifactSettings({ enabled: true, maxBytes: 10 }, {})).toThrow(/artifacts\.maxBytes/);
    expect(() => resolveArtifactSettings({ sampleRat: 1 } as never, {})).toThrow(/unknown option "sampleRat"/);
  });

  it('uploads, lists and downloads bytes; refuses paths that leave the run and roots the proxy does not serve', async () => {
    const run = (await rest(mlflow.url, 'POST', 'runs/create', { experiment_id: '0', run_name: 'raw' })) as {
      run: { info: { run_id: string; artifact_uri: string } };
    };
    const { run_id: runId, artifact_uri: uri } = run.run.info;
    expect(uri).toMatch(/^mlflow-artifacts:\//);
    const { uploadArtifact } = await import('../src/index.js');
    await uploadArtifact(client, uri, 'a/b é.txt', 'hé\n', 'text/plain');
    expect(await listArtifacts(client, runId, 'a')).toEqual([{ path: 'a/b é.txt', is_dir: false, file_size: 4 }]);
    expect(new TextDecoder().decode(await downloadArtifact(client, uri, 'a/b é.txt'))).toBe('hé\n');
    await expect(downloadArtifact(client, uri, 'a/missing.txt')).rejects.toMatchObject({
      status: 404,
      errorCode: 'RESOURCE_DOES_NOT_EXIST',
      transient: false,
    });
    await expect(uploadArtifact(client, uri, '../other-run/x', 'x')).rejects.toMatchObject({
      errorCode: 'INVALID_ARTIFACT_PATH',
      transient: false,
    });
    await expect(uploadArtifact(client, 's3://bucket/1/abc/artifacts', 'x', 'x')).rejects.toThrow(/--serve-artifacts/);
    await expect(uploadArtifact(client, 's3://bucket/1/abc/artifacts', 'x', 'x')).rejects.toBeInstanceOf(MlflowError);
  }, 30_000);
});
