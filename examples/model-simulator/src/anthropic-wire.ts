import type { ServerResponse } from 'node:http';
import { type Answer, sleep } from './answer.js';

/**
 * The Anthropic Messages wire format (`POST /v1/messages`): the JSON `message`, its server-sent
 * events (`message_start` with the input side of the usage, `content_block_start`/`_delta`/`_stop`,
 * `ping`, `message_delta` with the stop reason and the cumulative `output_tokens`, `message_stop`),
 * and error bodies as Anthropic sends them. Formats an {@link Answer}: its `promptTokens` count every
 * prompt token, so the wire's `input_tokens` leave out the cache reads (`cachedTokens`) and writes
 * (`cacheWriteTokens`), as Anthropic counts.
 */

const ERROR_KINDS: Record<number, [type: string, message: string]> = {
  400: ['invalid_request_error', 'Invalid request'],
  401: ['authentication_error', 'invalid x-api-key'],
  403: ['permission_error', 'Your API key does not have permission to use the specified resource.'],
  404: ['not_found_error', 'The requested resource could not be found.'],
  413: ['request_too_large', 'Request exceeds the maximum allowed number of bytes.'],
  429: ['rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit'],
  500: ['api_error', 'Internal server error'],
  529: ['overloaded_error', 'Overloaded'],
};

/** The error object of a status (`{ type, message }`), as in an error body or an `error` event. */
export function anthropicErrorObject(status: number): { type: string; message: string } {
  const [type, message] = ERROR_KINDS[status] ?? ['api_error', `simulated ${status}`];
  return { type, message };
}

/**
 * Writes an Anthropic error body (`{"type":"error","error":{"type":"rate_limit_error",...}}`) with
 * the given status, and `extra` headers (rate limits, `retry-after`: chosen by the server).
 */
export function anthropicError(
  res: ServerResponse,
  status: number,
  requestId?: string,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    ...(requestId ? { 'request-id': requestId } : {}),
    ...extra,
  });
  res.end(
    JSON.stringify({
      type: 'error',
      error: anthropicErrorObject(status),
      ...(requestId ? { request_id: requestId } : {}),
    }),
  );
}

function headers(a: Answer, contentType: string): Record<string, string> {
  return { 'content-type': contentType, ...(a.requestId ? { 'request-id': a.requestId } : {}), ...a.headers };
}

/** Anthropic counting: `input_tokens` without the cache reads and writes, which come on their own. */
function inputSide(a: Answer) {
  const read = a.cachedTokens ?? 0;
  const written = a.cacheWriteTokens ?? 0;
  return {
    input_tokens: Math.max(0, a.promptTokens - read - written),
    cache_creation_input_tokens: written,
    cache_read_input_tokens: read,
  };
}

function write(res: ServerResponse, data: string): Promise<void> {
  return new Promise((resolve) => res.write(data, () => resolve()));
}

/**
 * `POST /v1/messages`: a `message`, or with `stream: true` its events with the answer's timing, cut
 * and hold (`hold` stops after `message_delta`: no `message_stop`, the connection left open). A
 * `streamError` answer sends an `overloaded_error` event after the first text delta, as Anthropic
 * does when it is overloaded mid-stream.
 */
export async function messages(res: ServerResponse, body: Record<string, unknown>, a: Answer): Promise<void> {
  const text = a.pieces.join('');
  const stopReason = 'end_turn';
  const message = {
    id: a.id,
    type: 'message',
    role: 'assistant',
    model: a.model,
    content: [
      ...(a.thinking === undefined ? [] : [{ type: 'thinking', thinking: a.thinking, signature: 'sig' }]),
      { type: 'text', text },
    ],
    stop_reason: stopReason,
    stop_sequence: null,
    usage: { ...inputSide(a), output_tokens: a.completionTokens },
  };
  if (body.stream !== true) {
    await sleep(a.bodyDelayMs);
    res.writeHead(200, headers(a, 'application/json'));
    res.end(JSON.stringify(message));
    return;
  }
  const ev = (type: string, data: Record<string, unknown> = {}) => ({ event: type, data: { type, ...data } });
  const events: Array<{ event: string; data: unknown }> = [
    // The input side comes first; output_tokens here is the count so far, not the total.
    ev('message_start', {
      message: { ...message, content: [], stop_reason: null, usage: { ...inputSide(a), output_tokens: 1 } },
    }),
  ];
  let index = 0;
  if (a.thinking !== undefined) {
    events.push(
      ev('content_block_start', { index, content_block: { type: 'thinking', thinking: '', signature: '' } }),
      ev('content_block_delta', { index, delta: { type: 'thinking_delta', thinking: a.thinking } }),
      ev('content_block_delta', { index, delta: { type: 'signature_delta', signature: 'sig' } }),
      ev('content_block_stop', { index }),
    );
    index++;
  }
  events.push(ev('content_block_start', { index, content_block: { type: 'text', text: '' } }), ev('ping'));
  a.pieces.forEach((piece, i) => {
    events.push(ev('content_block_delta', { index, delta: { type: 'text_delta', text: piece } }));
    if (i === 0 && a.streamError) events.push(ev('error', { error: anthropicErrorObject(529) }));
  });
  events.push(
    ev('content_block_stop', { index }),
    // Cumulative: the total output tokens of the message.
    ev('message_delta', {
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { output_tokens: a.completionTokens },
    }),
    ev('message_stop'),
  );

  res.writeHead(200, { ...headers(a, 'text/event-stream'), 'cache-control': 'no-cache' });
  res.flushHeaders();
  await sleep(a.firstChunkDelayMs);
  let sent = 0;
  for (const { event, data } of events) {
    if (res.destroyed || res.socket === null || res.socket.destroyed) return;
    if (sent === a.cutAfterChunks) {
      res.socket.destroy();
      return;
    }
    if (a.hold && event === 'message_stop') return; // the connection stays open until the client closes it
    if (sent > 0) await sleep(a.chunkDelayMs);
    await write(res, `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    sent++;
    if (event === 'error') break;
  }
  res.end();
}

/** `POST /v1/messages/count_tokens`: the prompt's tokens (no generation, no usage). */
export async function countTokens(res: ServerResponse, _body: Record<string, unknown>, a: Answer): Promise<void> {
  res.writeHead(200, headers(a, 'application/json'));
  res.end(JSON.stringify({ input_tokens: a.promptTokens }));
}
