import type { IncomingMessage, ServerResponse } from 'node:http';
import { responseModelOf, type Scenario, sleep, textPieces } from './scenario.js';

/** Token counts the fake OpenAI server reports; distinct so that a swap or a guess shows. */
export const OPENAI_USAGE = {
  chat: { input: 11, output: 7 },
  completions: { input: 13, output: 5 },
  embeddings: { input: 4 },
  responses: { input: 17, output: 9 },
} as const;

export const TEXT_PIECES = ['Hel', 'lo', ' there'];
const JSON_PIECES = ['{"answer"', ':', '42}'];

/** The x-request-id the fake server sends (constant, so results compare equal across runs). */
export const REQUEST_ID = 'req_fake';

const ERROR_TYPES: Record<number, [string, string | null]> = {
  400: ['invalid_request_error', null],
  401: ['invalid_request_error', 'invalid_api_key'],
  404: ['invalid_request_error', 'model_not_found'],
  429: ['requests', 'rate_limit_exceeded'],
  500: ['server_error', null],
};

/** Writes an OpenAI error body with the given status. */
export function sendOpenAIError(res: ServerResponse, status: number): void {
  const [type, code] = ERROR_TYPES[status] ?? ['server_error', null];
  res.writeHead(status, {
    'content-type': 'application/json',
    'x-request-id': REQUEST_ID,
    'retry-after-ms': '5',
  });
  res.end(JSON.stringify({ error: { message: `simulated ${status}`, type, param: null, code } }));
}

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': REQUEST_ID });
  res.end(JSON.stringify(body));
}

async function sse(
  res: ServerResponse,
  req: IncomingMessage,
  scenario: Scenario,
  events: Array<{ event?: string; data: unknown }>,
  done: boolean,
): Promise<void> {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    'x-request-id': REQUEST_ID,
  });
  res.flushHeaders();
  if (scenario.firstChunkDelayMs > 0) await sleep(scenario.firstChunkDelayMs);
  let sent = 0;
  for (const { event, data } of events) {
    if (res.socket === null || res.socket.destroyed) return;
    if (scenario.cut && sent === 2) {
      await sleep(20); // let the two chunks reach the client first
      res.socket?.destroy();
      return;
    }
    if (sent > 0 && scenario.chunkDelayMs > 0) await sleep(scenario.chunkDelayMs);
    res.write(`${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`);
    sent++;
  }
  if (scenario.hold) return; // the connection stays open until the client closes it
  if (done) res.write('data: [DONE]\n\n');
  res.end();
}

function wantsJson(body: Record<string, unknown>): boolean {
  const format = body.response_format as { type?: string } | undefined;
  const text = body.text as { format?: { type?: string } } | undefined;
  return format?.type === 'json_schema' || text?.format?.type === 'json_schema';
}

function chat(body: Record<string, unknown>, res: ServerResponse, req: IncomingMessage, scenario: Scenario) {
  const model = responseModelOf(body.model);
  const pieces = textPieces(scenario, wantsJson(body) ? JSON_PIECES : TEXT_PIECES);
  const usage = {
    prompt_tokens: OPENAI_USAGE.chat.input,
    completion_tokens: OPENAI_USAGE.chat.output,
    total_tokens: OPENAI_USAGE.chat.input + OPENAI_USAGE.chat.output,
    ...(scenario.reasoningTokens === undefined
      ? {}
      : { completion_tokens_details: { reasoning_tokens: scenario.reasoningTokens } }),
  };
  const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1700000000, model };
  if (body.stream !== true) {
    return json(res, {
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
  const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
  const extra = includeUsage ? { usage: null } : {};
  const chunks: unknown[] = [
    { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }], ...extra },
    ...(scenario.think
      ? [{ ...base, choices: [{ index: 0, delta: { reasoning_content: 'Hmm' }, finish_reason: null }], ...extra }]
      : []),
    ...pieces.map((content) => ({
      ...base,
      choices: [{ index: 0, delta: { content }, finish_reason: null }],
      ...extra,
    })),
    { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], ...extra },
  ];
  if (includeUsage && !scenario.hold) chunks.push({ ...base, choices: [], usage });
  return sse(
    res,
    req,
    scenario,
    chunks.map((data) => ({ data })),
    true,
  );
}

function completions(body: Record<string, unknown>, res: ServerResponse, req: IncomingMessage, scenario: Scenario) {
  const model = responseModelOf(body.model);
  const usage = {
    prompt_tokens: OPENAI_USAGE.completions.input,
    completion_tokens: OPENAI_USAGE.completions.output,
    total_tokens: OPENAI_USAGE.completions.input + OPENAI_USAGE.completions.output,
  };
  const base = { id: 'cmpl-1', object: 'text_completion', created: 1700000000, model };
  if (body.stream !== true) {
    return json(res, {
      ...base,
      choices: [{ text: TEXT_PIECES.join(''), index: 0, logprobs: null, finish_reason: 'stop' }],
      usage,
    });
  }
  const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
  const extra = includeUsage ? { usage: null } : {};
  const chunks: unknown[] = [
    ...TEXT_PIECES.map((text) => ({
      ...base,
      choices: [{ text, index: 0, logprobs: null, finish_reason: null }],
      ...extra,
    })),
    { ...base, choices: [{ text: '', index: 0, logprobs: null, finish_reason: 'stop' }], ...extra },
  ];
  if (includeUsage && !scenario.hold) chunks.push({ ...base, choices: [], usage });
  return sse(
    res,
    req,
    scenario,
    chunks.map((data) => ({ data })),
    true,
  );
}

function embeddings(body: Record<string, unknown>, res: ServerResponse) {
  const vector = [0.25, -0.5, 0.75];
  const embedding =
    body.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
  json(res, {
    object: 'list',
    data: [{ object: 'embedding', index: 0, embedding }],
    model: responseModelOf(body.model),
    usage: { prompt_tokens: OPENAI_USAGE.embeddings.input, total_tokens: OPENAI_USAGE.embeddings.input },
  });
}

function responses(body: Record<string, unknown>, res: ServerResponse, req: IncomingMessage, scenario: Scenario) {
  const model = responseModelOf(body.model);
  const pieces = textPieces(scenario, wantsJson(body) ? JSON_PIECES : TEXT_PIECES);
  const text = pieces.join('');
  const usage = {
    input_tokens: OPENAI_USAGE.responses.input,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: OPENAI_USAGE.responses.output,
    output_tokens_details: { reasoning_tokens: scenario.reasoningTokens ?? 0 },
    total_tokens: OPENAI_USAGE.responses.input + OPENAI_USAGE.responses.output,
  };
  const message = {
    type: 'message',
    id: 'msg_1',
    status: 'completed',
    role: 'assistant',
    content: [{ type: 'output_text', text, annotations: [] }],
  };
  const response = (status: string, withOutput: boolean) => ({
    id: 'resp_1',
    object: 'response',
    created_at: 1700000000,
    status,
    error: null,
    incomplete_details: null,
    model,
    output: withOutput ? [message] : [],
    parallel_tool_calls: true,
    tool_choice: 'auto',
    tools: [],
    text: body.text ?? { format: { type: 'text' } },
    usage: withOutput ? usage : null,
  });
  if (body.stream !== true) return json(res, response('completed', true));
  let seq = 0;
  const ev = (type: string, data: Record<string, unknown>) => ({
    event: type,
    data: { type, sequence_number: seq++, ...data },
  });
  const events = [
    ev('response.created', { response: response('in_progress', false) }),
    ev('response.in_progress', { response: response('in_progress', false) }),
    ev('response.output_item.added', { output_index: 0, item: { ...message, status: 'in_progress', content: [] } }),
    ev('response.content_part.added', {
      item_id: 'msg_1',
      output_index: 0,
      content_index: 0,
      part: { type: 'output_text', text: '', annotations: [] },
    }),
    ...pieces.map((delta) =>
      ev('response.output_text.delta', { item_id: 'msg_1', output_index: 0, content_index: 0, delta }),
    ),
    ev('response.output_text.done', { item_id: 'msg_1', output_index: 0, content_index: 0, text }),
    ev('response.content_part.done', {
      item_id: 'msg_1',
      output_index: 0,
      content_index: 0,
      part: { type: 'output_text', text, annotations: [] },
    }),
    ev('response.output_item.done', { output_index: 0, item: message }),
    ev('response.completed', { response: response('completed', true) }),
  ];
  return sse(res, req, scenario, events, false);
}

/** Answers one request of the OpenAI REST API (`/v1/...` or Azure's paths); false for other paths. */
export async function handleOpenAI(
  path: string,
  body: Record<string, unknown>,
  req: IncomingMessage,
  res: ServerResponse,
  scenario: Scenario,
): Promise<boolean> {
  // Azure's paths put the deployment before the operation: /openai/deployments/<name>/chat/completions.
  const operation = /\/(chat\/completions|completions|embeddings|responses)$/.exec(path)?.[1];
  if (operation === undefined || path.startsWith('/api/')) return false;
  if (scenario.failStatus !== undefined) {
    sendOpenAIError(res, scenario.failStatus);
    return true;
  }
  if (operation === 'chat/completions') await chat(body, res, req, scenario);
  else if (operation === 'completions') await completions(body, res, req, scenario);
  else if (operation === 'embeddings') embeddings(body, res);
  else await responses(body, res, req, scenario);
  return true;
}
