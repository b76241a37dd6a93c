import type { ServerResponse } from 'node:http';
import { type Answer, sleep } from './answer.js';

/**
 * The OpenAI REST wire format: JSON bodies and server-sent events for chat completions, legacy
 * completions, embeddings and the Responses API, and error bodies. Formats an {@link Answer}.
 */

const ERROR_KINDS: Record<number, [type: string, code: string | null, message: string]> = {
  400: ['invalid_request_error', null, 'Invalid request'],
  401: ['invalid_request_error', 'invalid_api_key', 'Incorrect API key provided'],
  404: ['invalid_request_error', 'model_not_found', 'The model does not exist'],
  429: ['requests', 'rate_limit_exceeded', 'Rate limit reached for requests'],
  500: ['server_error', null, 'The server had an error while processing your request'],
};

/**
 * Writes an OpenAI error body with the given status, and `extra` headers (`retry-after-ms`, rate
 * limits, `retry-after` on a 429: chosen by the server).
 */
export function openAIError(
  res: ServerResponse,
  status: number,
  requestId?: string,
  extra: Record<string, string> = {},
): void {
  const [type, code, message] = ERROR_KINDS[status] ?? ['server_error', null, `simulated ${status}`];
  res.writeHead(status, {
    'content-type': 'application/json',
    ...(requestId ? { 'x-request-id': requestId } : {}),
    ...extra,
  });
  res.end(JSON.stringify({ error: { message, type, param: null, code } }));
}

function headers(a: Answer, contentType: string): Record<string, string> {
  return { 'content-type': contentType, ...(a.requestId ? { 'x-request-id': a.requestId } : {}), ...a.headers };
}

async function json(res: ServerResponse, a: Answer, body: unknown): Promise<void> {
  await sleep(a.bodyDelayMs);
  res.writeHead(200, headers(a, 'application/json'));
  res.end(JSON.stringify(body));
}

/** Resolves when `data` is handed to the socket (so a cut after it still delivers it). */
function write(res: ServerResponse, data: string): Promise<void> {
  return new Promise((resolve) => res.write(data, () => resolve()));
}

/** Sends the events of a stream with the answer's timing, cut and hold. */
async function sse(
  res: ServerResponse,
  a: Answer,
  events: Array<{ event?: string; data: unknown }>,
  done: boolean,
): Promise<void> {
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
    if (sent > 0) await sleep(a.chunkDelayMs);
    await write(res, `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`);
    sent++;
  }
  if (a.hold) return; // the connection stays open until the client closes it
  if (done) res.write('data: [DONE]\n\n');
  res.end();
}

const JSON_PIECES = ['{"answer"', ':', '42}'];

/** The text pieces: a small JSON document when the request asks for a JSON schema (structured outputs). */
function piecesFor(body: Record<string, unknown>, a: Answer): string[] {
  const format = body.response_format as { type?: string } | undefined;
  const text = body.text as { format?: { type?: string } } | undefined;
  return format?.type === 'json_schema' || text?.format?.type === 'json_schema' ? JSON_PIECES : a.pieces;
}

/** The `n` of the request: how many choices to answer (1 to 8). */
function choiceCount(body: Record<string, unknown>): number {
  const n = body.n;
  return typeof n === 'number' && Number.isInteger(n) && n > 1 ? Math.min(n, 8) : 1;
}

function includesUsage(body: Record<string, unknown>): boolean {
  return (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
}

/** Chat and legacy completion usage; the details when the answer reports them (as OpenAI: cached in the prompt, reasoning in the completion). */
function completionUsage(a: Answer) {
  return {
    prompt_tokens: a.promptTokens,
    completion_tokens: a.completionTokens,
    total_tokens: a.promptTokens + a.completionTokens,
    ...(a.cachedTokens === undefined ? {} : { prompt_tokens_details: { cached_tokens: a.cachedTokens } }),
    ...(a.reasoningTokens === undefined ? {} : { completion_tokens_details: { reasoning_tokens: a.reasoningTokens } }),
  };
}

export async function chatCompletion(res: ServerResponse, body: Record<string, unknown>, a: Answer): Promise<void> {
  const pieces = piecesFor(body, a);
  const usage = completionUsage(a);
  const base = { id: a.id, object: 'chat.completion.chunk', created: a.created, model: a.model };
  if (body.stream !== true) {
    return json(res, a, {
      ...base,
      object: 'chat.completion',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: pieces.join(''), refusal: null },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage,
    });
  }
  const withUsage = includesUsage(body);
  const extra = withUsage ? { usage: null } : {};
  const chunk = (index: number, delta: Record<string, unknown>, finish: string | null) => ({
    ...base,
    choices: [{ index, delta, finish_reason: finish }],
    ...extra,
  });
  // `n` choices are streamed one after the other, each with its own index and finish chunk.
  const chunks: unknown[] = [];
  for (let index = 0; index < choiceCount(body); index++) {
    chunks.push(
      chunk(index, { role: 'assistant', content: '' }, null),
      ...(a.thinking === undefined ? [] : [chunk(index, { reasoning_content: a.thinking }, null)]),
      ...pieces.map((content) => chunk(index, { content }, null)),
      chunk(index, {}, 'stop'),
    );
  }
  if (withUsage && !a.hold) chunks.push({ ...base, choices: [], usage });
  return sse(
    res,
    a,
    chunks.map((data) => ({ data })),
    true,
  );
}

export async function textCompletion(res: ServerResponse, body: Record<string, unknown>, a: Answer): Promise<void> {
  const usage = completionUsage(a);
  const base = { id: a.id, object: 'text_completion', created: a.created, model: a.model };
  if (body.stream !== true) {
    return json(res, a, {
      ...base,
      choices: [{ text: a.pieces.join(''), index: 0, logprobs: null, finish_reason: 'stop' }],
      usage,
    });
  }
  const withUsage = includesUsage(body);
  const extra = withUsage ? { usage: null } : {};
  const chunks: unknown[] = [
    ...a.pieces.map((text) => ({
      ...base,
      choices: [{ text, index: 0, logprobs: null, finish_reason: null }],
      ...extra,
    })),
    { ...base, choices: [{ text: '', index: 0, logprobs: null, finish_reason: 'stop' }], ...extra },
  ];
  if (withUsage && !a.hold) chunks.push({ ...base, choices: [], usage });
  return sse(
    res,
    a,
    chunks.map((data) => ({ data })),
    true,
  );
}

export async function embeddings(res: ServerResponse, body: Record<string, unknown>, a: Answer): Promise<void> {
  const vector = [0.25, -0.5, 0.75];
  const embedding =
    body.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
  const inputs = Array.isArray(body.input) ? body.input : [body.input];
  return json(res, a, {
    object: 'list',
    data: inputs.map((_, index) => ({ object: 'embedding', index, embedding })),
    model: a.model,
    usage: { prompt_tokens: a.promptTokens, total_tokens: a.promptTokens },
  });
}

export async function response(res: ServerResponse, body: Record<string, unknown>, a: Answer): Promise<void> {
  const pieces = piecesFor(body, a);
  const text = pieces.join('');
  const usage = {
    input_tokens: a.promptTokens,
    input_tokens_details: { cached_tokens: a.cachedTokens ?? 0 },
    output_tokens: a.completionTokens,
    output_tokens_details: { reasoning_tokens: a.reasoningTokens ?? 0 },
    total_tokens: a.promptTokens + a.completionTokens,
  };
  const itemId = `msg_${a.id}`;
  const message = {
    type: 'message',
    id: itemId,
    status: 'completed',
    role: 'assistant',
    content: [{ type: 'output_text', text, annotations: [] }],
  };
  const full = (status: string, withOutput: boolean) => ({
    id: a.id,
    object: 'response',
    created_at: a.created,
    status,
    error: null,
    incomplete_details: null,
    model: a.model,
    output: withOutput ? [message] : [],
    parallel_tool_calls: true,
    tool_choice: 'auto',
    tools: [],
    text: body.text ?? { format: { type: 'text' } },
    usage: withOutput ? usage : null,
  });
  if (body.stream !== true) return json(res, a, { ...full('completed', true), output_text: text });
  let seq = 0;
  const ev = (type: string, data: Record<string, unknown>) => ({
    event: type,
    data: { type, sequence_number: seq++, ...data },
  });
  const part = { item_id: itemId, output_index: 0, content_index: 0 };
  const events = [
    ev('response.created', { response: full('in_progress', false) }),
    ev('response.in_progress', { response: full('in_progress', false) }),
    ev('response.output_item.added', { output_index: 0, item: { ...message, status: 'in_progress', content: [] } }),
    ev('response.content_part.added', { ...part, part: { type: 'output_text', text: '', annotations: [] } }),
    ...pieces.map((delta) => ev('response.output_text.delta', { ...part, delta })),
    ev('response.output_text.done', { ...part, text }),
    ev('response.content_part.done', { ...part, part: { type: 'output_text', text, annotations: [] } }),
    ev('response.output_item.done', { output_index: 0, item: message }),
    ev('response.completed', { response: full('completed', true) }),
  ];
  return sse(res, a, events, false);
}
