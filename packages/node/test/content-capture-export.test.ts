import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { CALL_EVENT_NAME } from '@llm-otel/core';
import { ModelSimulator } from '@llm-otel/model-simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver } from './otlp-receiver.js';

/**
 * The guard behind "no prompt or completion content by default": an app run with
 * `node --import @llm-otel/node/register` (register() from the OTEL_* variables) makes real openai
 * calls, plain and streamed, and its per-call log records go over OTLP/HTTP (JSON) to a local
 * receiver: once with content capture off (the default), once with
 * `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true`. The raw exported bytes are searched, so
 * content anywhere in the payload (an attribute, a body, the resource) fails the off case; the on
 * case proves that the same search finds the text when it is there.
 */

/** A minimal OTLP/HTTP logs receiver that keeps every request body as text. */
const startReceiver = () => startOtlpReceiver<string>({ path: '/v1/logs', jsonOnly: true, decode: (text) => text });

/** The simulator's scripted answer (its text pieces joined). */
const ANSWER = 'Hello there';

/** A marker per phase, so that each payload is searched for its own app's text. */
const MARKERS = { off: 'off-7f3a91c2', on: 'on-5d0e44b8' } as const;

describe('register() with OTEL_LOGS_EXPORTER=otlp: message content of real openai calls in the exported records', () => {
  const simulator = new ModelSimulator({}, { scripted: true });
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let base = '';
  const payload: Record<'off' | 'on', string> = { off: '', on: '' };

  /** Runs the app to its end with `env`; returns what the receiver got from it. */
  async function runApp(phase: 'off' | 'on', env: Record<string, string>): Promise<string> {
    const first = receiver.bodies.length;
    const child = spawn(
      process.execPath,
      ['--import', '@llm-otel/node/register', fileURLToPath(new URL('./fixtures/content-app.mjs', import.meta.url))],
      {
        cwd: fileURLToPath(new URL('..', import.meta.url)),
        env: {
          ...process.env,
          OTEL_LOGS_EXPORTER: 'otlp',
          OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: `${receiver.url}/v1/logs`,
          OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'http/json',
          OTEL_METRICS_EXPORTER: 'none',
          OTEL_TRACES_EXPORTER: 'none',
          OPENAI_BASE_URL: `${base}/v1`,
          CONTENT_MARKER: MARKERS[phase],
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    if (code !== 0) throw new Error(`app exited with ${code}: ${stderr}`);
    // What the app saw: the answer, plain and streamed, with or without content capture.
    expect(JSON.parse(stdout)).toEqual({ plain: ANSWER, streamed: ANSWER });
    return receiver.bodies.slice(first).join('\n');
  }

  beforeAll(async () => {
    receiver = await startReceiver();
    base = await simulator.start();
    delete process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT;
    payload.off = await runApp('off', {});
    payload.on = await runApp('on', { OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true' });
  }, 60_000);
  afterAll(async () => {
    receiver.server.close();
    await simulator.stop();
  });

  it('capture off (the default): both calls are exported, and no message text appears anywhere in the payload', () => {
    expect(payload.off.split(CALL_EVENT_NAME).length - 1).toBe(2);
    expect(payload.off).not.toContain(MARKERS.off);
    expect(payload.off).not.toContain(ANSWER);
    expect(payload.off).not.toContain('gen_ai.input.messages');
    expect(payload.off).not.toContain('gen_ai.output.messages');
  });

  it('capture on: the same search finds the prompts and the answer (plain and streamed) in the payload', () => {
    expect(payload.on.split(CALL_EVENT_NAME).length - 1).toBe(2);
    expect(payload.on.split(`system-prompt-${MARKERS.on}`).length - 1).toBe(2);
    expect(payload.on.split(`user-question-${MARKERS.on}`).length - 1).toBe(2);
    expect(payload.on.split(ANSWER).length - 1).toBe(2);
    expect(payload.on).toContain('gen_ai.input.messages');
    expect(payload.on).toContain('gen_ai.output.messages');
  });
});
