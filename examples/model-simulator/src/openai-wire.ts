import type { ServerResponse } from 'node:http';
import { type Draw, words } from './profile.js';

/**
 * The OpenAI REST wire format: JSON bodies and server-sent events for chat completions, legacy
 * completions, embeddings and the Responses API, and error bodies.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sse = (res: ServerResponse, data: unknown, event?: string) =>
  res.write(`${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`);

export function openAIError(res: ServerResponse, status: number): void {
  const kinds: Record<number, [string, string]> = {
    400: ['invalid_request_error', 'Invalid request'],
    401: ['invalid_request_error', 'Incorrect API key provided'],
    429: ['rate_limit_error', 'Rate limit reached for requests'],
    500: ['server_error', 'The server had an error while processing your request'],
  };
  const [type, message] = kinds[status] ?? ['server_error', 'error'];
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { message, type, param: null, code: null } }));
}

function usageOf(d: Draw) {
  return {
    prompt_tokens: d.promptTokens,
    completion_tokens: d.completionTokens,
    total_tokens: d.promptTokens + d.completionTokens,
  };
}

async function streamTokens(d: Draw, each: (token: string, i: number) => void): Promise<void> {
  const tokens = words(d.completionTokens);
  for (let i = 0; i < tokens.length; i++) {
    if (i > 0) await sleep(d.perTokenMs);
    each(tokens[i] as string, i);
  }
}

export async function chatCompletion(res: ServerResponse, body: Record<string, unknown>, d: Draw): Promise<void> {
  const id = `chatcmpl-sim${Date.now().toString(36)}`;
  const created = Math.floor(Date.now() / 1000);
  const model = `${String(body.model)}-sim`;
  if (body.stream !== true) {
    await sleep(d.perTokenMs * (d.completionTokens - 1));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: words(d.completionTokens).join(''), refusal: null },
            logprobs: null,
            finish_reason: 'stop',
          },
        ],
        usage: usageOf(d),
      }),
    );
    return;
  }
  const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const chunk = (delta: Record<string, unknown>, finish: string | null) => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...(includeUsage ? { usage: null } : {}),
  });
  sse(res, chunk({ role: 'assistant', content: '' }, null));
  await streamTokens(d, (token) => sse(res, chunk({ content: token }, null)));
  sse(res, chunk({}, 'stop'));
  if (includeUsage) sse(res, { id, object: 'chat.completion.chunk', created, model, choices: [], usage: usageOf(d) });
  res.end('data: [DONE]\n\n');
}

export async function textCompletion(res: ServerResponse, body: Record<string, unknown>, d: Draw): Promise<void> {
  const id = `cmpl-sim${Date.now().toString(36)}`;
  const created = Math.floor(Date.now() / 1000);
  const model = `${String(body.model)}-sim`;
  if (body.stream !== true) {
    await sleep(d.perTokenMs * (d.completionTokens - 1));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        id,
        object: 'text_completion',
        created,
        model,
        choices: [{ text: words(d.completionTokens).join(''), index: 0, logprobs: null, finish_reason: 'stop' }],
        usage: usageOf(d),
      }),
    );
    return;
  }
  const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  await streamTokens(d, (token, i) =>
    sse(res, {
      id,
      object: 'text_completion',
      created,
      model,
      choices: [{ text: token, index: 0, logprobs: null, finish_reason: i === d.completionTokens - 1 ? 'stop' : null }],
    }),
  );
  if (includeUsage) sse(res, { id, object: 'text_completion', created, model, choices: [], usage: usageOf(d) });
  res.end('data: [DONE]\n\n');
}

export async function embeddings(res: ServerResponse, body: Record<string, unknown>, d: Draw): Promise<void> {
  const inputs = Array.isArray(body.input) ? body.input : [body.input];
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      object: 'list',
      data: inputs.map((_, index) => ({ object: 'embedding', index, embedding: [0.1, -0.2, 0.3, 0.05] })),
      model: String(body.model),
      usage: { prompt_tokens: d.promptTokens, total_tokens: d.promptTokens },
    }),
  );
}

export async function response(res: ServerResponse, body: Record<string, unknown>, d: Draw): Promise<void> {
  const id = `resp_sim${Date.now().toString(36)}`;
  const createdAt = Math.floor(Date.now() / 1000);
  const model = `${String(body.model)}-sim`;
  const text = words(d.completionTokens).join('');
  const usage = {
    input_tokens: d.promptTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: d.completionTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: d.promptTokens + d.completionTokens,
  };
  const message = (content: string) => ({
    type: 'message',
    id: `msg_${id}`,
    status: 'completed',
    role: 'assistant',
    content: [{ type: 'output_text', text: content, annotations: [] }],
  });
  const full = (status: string, withOutput: boolean) => ({
    id,
    object: 'response',
    created_at: createdAt,
    status,
    model,
    output: withOutput ? [message(text)] : [],
    usage: withOutput ? usage : null,
  });
  if (body.stream !== true) {
    await sleep(d.perTokenMs * (d.completionTokens - 1));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ...full('completed', true), output_text: text }));
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  let seq = 0;
  sse(
    res,
    { type: 'response.created', sequence_number: seq++, response: full('in_progress', false) },
    'response.created',
  );
  await streamTokens(d, (token) =>
    sse(
      res,
      {
        type: 'response.output_text.delta',
        sequence_number: seq++,
        item_id: `msg_${id}`,
        output_index: 0,
        content_index: 0,
        delta: token,
      },
      'response.output_text.delta',
    ),
  );
  sse(
    res,
    {
      type: 'response.output_text.done',
      sequence_number: seq++,
      item_id: `msg_${id}`,
      output_index: 0,
      content_index: 0,
      text,
    },
    'response.output_text.done',
  );
  sse(
    res,
    { type: 'response.completed', sequence_number: seq++, response: full('completed', true) },
    'response.completed',
  );
  res.end();
}
