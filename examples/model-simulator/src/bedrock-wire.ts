import type { ServerResponse } from 'node:http';
import { EventStreamCodec, type MessageHeaders } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { type Answer, sleep } from './answer.js';

/**
 * The Amazon Bedrock Runtime wire format (`POST /model/{modelId}/converse`, `/converse-stream`,
 * `/invoke`, `/invoke-with-response-stream`): Converse's JSON and its event stream (`messageStart`,
 * `contentBlockDelta`, `contentBlockStop`, `messageStop`, `metadata` with the usage), and InvokeModel
 * with the body of the model family: Anthropic's Messages body for `anthropic.*` models (its
 * stream events, base64 in `chunk` events, the last one with `amazon-bedrock-invocationMetrics`),
 * a plain `{ outputText }` for the others. The streams speak AWS's binary event-stream framing,
 * encoded with the codec the SDK itself decodes with (a `streamerror` ConverseStream fails after its
 * first text delta with a `modelStreamErrorException` message). Errors as Bedrock sends them: the status,
 * `x-amzn-errortype` naming the exception, `{ "message": ... }`.
 */

const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** The exception Bedrock names for a status. */
const EXCEPTIONS: Record<number, string> = {
  400: 'ValidationException',
  403: 'AccessDeniedException',
  404: 'ResourceNotFoundException',
  408: 'ModelTimeoutException',
  424: 'ModelErrorException',
  429: 'ThrottlingException',
  500: 'InternalServerException',
  503: 'ServiceUnavailableException',
};

/** The exception name of a status (`ThrottlingException` for 429). */
export function bedrockExceptionName(status: number): string {
  return EXCEPTIONS[status] ?? (status >= 500 ? 'InternalServerException' : 'ValidationException');
}

/** Writes a Bedrock error: the status, `x-amzn-errortype`, a JSON `{ message }`. */
export function bedrockError(
  res: ServerResponse,
  status: number,
  requestId?: string,
  extra: Record<string, string> = {},
) {
  const name = bedrockExceptionName(status);
  res.writeHead(status, {
    'content-type': 'application/json',
    'x-amzn-errortype': `${name}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
    ...(requestId ? { 'x-amzn-requestid': requestId } : {}),
    ...extra,
  });
  res.end(JSON.stringify({ message: `simulated ${name}` }));
}

/** The model id of a Bedrock path (`/model/<url-encoded id>/converse`), or undefined. */
export function bedrockModelOfPath(path: string): { modelId: string; action: string } | undefined {
  if (!path.startsWith('/model/')) return undefined;
  const slash = path.lastIndexOf('/');
  if (slash <= 7) return undefined;
  try {
    return { modelId: decodeURIComponent(path.slice(7, slash)), action: path.slice(slash + 1) };
  } catch {
    return undefined;
  }
}

function jsonHeaders(a: Answer, contentType: string): Record<string, string> {
  return { 'content-type': contentType, ...(a.requestId ? { 'x-amzn-requestid': a.requestId } : {}), ...a.headers };
}

/** Converse's usage: `inputTokens` without the cache reads and writes, which come on their own. */
function converseUsage(a: Answer) {
  const read = a.cachedTokens ?? 0;
  const written = a.cacheWriteTokens ?? 0;
  const input = Math.max(0, a.promptTokens - read - written);
  return {
    inputTokens: input,
    outputTokens: a.completionTokens,
    totalTokens: a.promptTokens + a.completionTokens,
    ...(read > 0 ? { cacheReadInputTokens: read } : {}),
    ...(written > 0 ? { cacheWriteInputTokens: written } : {}),
  };
}

/** Anthropic's usage: `input_tokens` without the cache reads and writes. */
function anthropicUsage(a: Answer) {
  const read = a.cachedTokens ?? 0;
  const written = a.cacheWriteTokens ?? 0;
  return {
    input_tokens: Math.max(0, a.promptTokens - read - written),
    cache_creation_input_tokens: written,
    cache_read_input_tokens: read,
  };
}

function isAnthropicModel(modelId: string): boolean {
  return modelId.includes('anthropic.');
}

/** One event-stream message: an `event` of `type` with a JSON payload. */
function eventMessage(type: string, payload: unknown): Uint8Array {
  const headers: MessageHeaders = {
    ':event-type': { type: 'string', value: type },
    ':message-type': { type: 'string', value: 'event' },
    ':content-type': { type: 'string', value: 'application/json' },
  };
  return codec.encode({ headers, body: fromUtf8(JSON.stringify(payload)) });
}

/**
 * An exception message of a stream (`:message-type` `exception`): Bedrock's way to fail mid-stream
 * (the SDK throws it as the named exception).
 */
const exceptions = new WeakSet<Uint8Array>();

function exceptionMessage(type: string, message: string): Uint8Array {
  const headers: MessageHeaders = {
    ':exception-type': { type: 'string', value: type },
    ':message-type': { type: 'string', value: 'exception' },
    ':content-type': { type: 'string', value: 'application/json' },
  };
  const encoded = codec.encode({ headers, body: fromUtf8(JSON.stringify({ message })) });
  exceptions.add(encoded);
  return encoded;
}

/** A `streamerror` answer fails after its first text delta with a `modelStreamErrorException`. */
function streamError(): Uint8Array {
  return exceptionMessage('modelStreamErrorException', 'simulated model stream error');
}

function write(res: ServerResponse, data: Uint8Array): Promise<void> {
  return new Promise((resolve) => res.write(data, () => resolve()));
}

/** Sends event-stream messages with the answer's timing and cut. */
async function sendEvents(res: ServerResponse, a: Answer, messages: Uint8Array[]): Promise<void> {
  res.writeHead(200, jsonHeaders(a, 'application/vnd.amazon.eventstream'));
  res.flushHeaders();
  await sleep(a.firstChunkDelayMs);
  let sent = 0;
  for (const message of messages) {
    if (res.destroyed || res.socket === null || res.socket.destroyed) return;
    if (sent === a.cutAfterChunks) {
      res.socket.destroy();
      return;
    }
    if (sent > 0) await sleep(a.chunkDelayMs);
    await write(res, message);
    sent++;
    // An exception ends the stream.
    if (exceptions.has(message)) break;
  }
  res.end();
}

/** `POST /model/{modelId}/converse`: the Converse response. */
export async function converse(res: ServerResponse, _body: Record<string, unknown>, a: Answer): Promise<void> {
  await sleep(a.bodyDelayMs);
  res.writeHead(200, jsonHeaders(a, 'application/json'));
  res.end(
    JSON.stringify({
      output: { message: { role: 'assistant', content: [{ text: a.pieces.join('') }] } },
      stopReason: 'end_turn',
      usage: converseUsage(a),
      metrics: { latencyMs: 42 },
    }),
  );
}

/** `POST /model/{modelId}/converse-stream`: the Converse events, the usage in `metadata` last. */
export async function converseStream(res: ServerResponse, _body: Record<string, unknown>, a: Answer): Promise<void> {
  const messages = [eventMessage('messageStart', { role: 'assistant' })];
  if (a.thinking !== undefined) {
    messages.push(
      eventMessage('contentBlockDelta', { contentBlockIndex: 0, delta: { reasoningContent: { text: a.thinking } } }),
      eventMessage('contentBlockStop', { contentBlockIndex: 0 }),
    );
  }
  const index = a.thinking === undefined ? 0 : 1;
  a.pieces.forEach((piece, i) => {
    messages.push(eventMessage('contentBlockDelta', { contentBlockIndex: index, delta: { text: piece } }));
    if (i === 0 && a.streamError) messages.push(streamError());
  });
  messages.push(
    eventMessage('contentBlockStop', { contentBlockIndex: index }),
    eventMessage('messageStop', { stopReason: 'end_turn' }),
    eventMessage('metadata', { usage: converseUsage(a), metrics: { latencyMs: 42 } }),
  );
  await sendEvents(res, a, messages);
}

/** The Anthropic message of an answer, as Anthropic-on-Bedrock sends it (the model without the `anthropic.` prefix). */
function anthropicMessage(a: Answer) {
  return {
    id: a.id,
    type: 'message',
    role: 'assistant',
    model: a.model.slice(a.model.indexOf('anthropic.') + 'anthropic.'.length),
    content: [{ type: 'text', text: a.pieces.join('') }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { ...anthropicUsage(a), output_tokens: a.completionTokens },
  };
}

/** `POST /model/{modelId}/invoke`: the model family's body (Anthropic's message, else `{ outputText }`). */
export async function invoke(
  res: ServerResponse,
  _body: Record<string, unknown>,
  a: Answer,
  modelId: string,
): Promise<void> {
  await sleep(a.bodyDelayMs);
  res.writeHead(200, jsonHeaders(a, 'application/json'));
  const body = isAnthropicModel(modelId) ? anthropicMessage(a) : { outputText: a.pieces.join('') };
  res.end(JSON.stringify(body));
}

/** A `chunk` event: the model's own event, JSON in base64 `bytes`. */
function chunk(event: unknown): Uint8Array {
  return eventMessage('chunk', { bytes: Buffer.from(JSON.stringify(event)).toString('base64') });
}

/**
 * `POST /model/{modelId}/invoke-with-response-stream`: Anthropic's stream events in `chunk` events
 * for `anthropic.*` models (`message_stop` with `amazon-bedrock-invocationMetrics`), else one
 * `{ outputText }` chunk per piece.
 */
export async function invokeStream(
  res: ServerResponse,
  _body: Record<string, unknown>,
  a: Answer,
  modelId: string,
): Promise<void> {
  const metrics = {
    'amazon-bedrock-invocationMetrics': {
      inputTokenCount: a.promptTokens,
      outputTokenCount: a.completionTokens,
      invocationLatency: 42,
      firstByteLatency: 7,
    },
  };
  if (!isAnthropicModel(modelId)) {
    const messages = a.pieces.map((piece) => chunk({ outputText: piece }));
    messages.push(chunk({ outputText: '', completionReason: 'FINISH', ...metrics }));
    await sendEvents(res, a, messages);
    return;
  }
  const message = anthropicMessage(a);
  const events: unknown[] = [
    {
      type: 'message_start',
      message: { ...message, content: [], stop_reason: null, usage: { ...anthropicUsage(a), output_tokens: 1 } },
    },
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    ...a.pieces.map((text) => ({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } })),
    { type: 'content_block_stop', index: 0 },
    {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: a.completionTokens },
    },
    { type: 'message_stop', ...metrics },
  ];
  await sendEvents(res, a, events.map(chunk));
}
