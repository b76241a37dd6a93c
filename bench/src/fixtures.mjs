// Canned LLM responses served by an in-process `fetch` (for Bedrock, an in-process request handler):
// the real openai, ollama, Anthropic and Bedrock Runtime clients run their whole request/response
// path (request building, signing, headers, JSON and SSE/NDJSON parsing) but no socket is opened, so what a benchmark measures is the client plus the instrumentation, never
// the network.

import { Readable } from 'node:stream';

const encoder = new TextEncoder();

/** Output tokens (= content chunks) of the streaming cases. */
export const STREAM_CHUNKS = 200;
/** Input tokens every canned response reports. */
export const PROMPT_TOKENS = 42;
/** Dimensions of the canned embedding. */
export const EMBEDDING_DIMENSIONS = 256;

const CREATED = 1_760_000_000;
const OPENAI_MODEL = 'gpt-4o-mini';
const OPENAI_RESPONSE_MODEL = 'gpt-4o-mini-2024-07-18';
const OLLAMA_MODEL = 'llama3.2:1b';
const ANTHROPIC_MODEL = 'claude-haiku-4-5';
const ANTHROPIC_RESPONSE_MODEL = 'claude-haiku-4-5-20251001';
// Claude Haiku 4.5 through its global cross-region inference profile (priced in the built-in table).
const BEDROCK_MODEL = 'global.anthropic.claude-haiku-4-5-20251001-v1:0';

/**
 * The headers OpenAI sends with every answer (rate-limit state included), so that the figures include
 * the work of reading them. Ollama sends none of the rate-limit ones.
 */
const OPENAI_HEADERS = {
  'x-request-id': 'req_bench',
  'openai-processing-ms': '412',
  'x-ratelimit-limit-requests': '10000',
  'x-ratelimit-remaining-requests': '9999',
  'x-ratelimit-reset-requests': '6ms',
  'x-ratelimit-limit-tokens': '10000000',
  'x-ratelimit-remaining-tokens': '9999790',
  'x-ratelimit-reset-tokens': '1ms',
};
const OLLAMA_HEADERS = { 'x-request-id': 'req_bench' };
/** The headers Anthropic sends with every answer: its rate-limit state of four kinds (resets in RFC 3339). */
const ANTHROPIC_HEADERS = {
  'request-id': 'req_bench',
  'anthropic-ratelimit-requests-limit': '4000',
  'anthropic-ratelimit-requests-remaining': '3999',
  'anthropic-ratelimit-requests-reset': '2026-01-01T00:00:01Z',
  'anthropic-ratelimit-tokens-limit': '2000000',
  'anthropic-ratelimit-tokens-remaining': '1999758',
  'anthropic-ratelimit-tokens-reset': '2026-01-01T00:00:01Z',
  'anthropic-ratelimit-input-tokens-limit': '2000000',
  'anthropic-ratelimit-input-tokens-remaining': '1999958',
  'anthropic-ratelimit-input-tokens-reset': '2026-01-01T00:00:01Z',
  'anthropic-ratelimit-output-tokens-limit': '400000',
  'anthropic-ratelimit-output-tokens-remaining': '399800',
  'anthropic-ratelimit-output-tokens-reset': '2026-01-01T00:00:01Z',
};

/** A body that is sent as it is (JSON) or as a stream of pre-encoded pieces (SSE, NDJSON). */
function jsonResponse(text, extraHeaders) {
  return () => new Response(text, { status: 200, headers: { 'content-type': 'application/json', ...extraHeaders } });
}

function streamResponse(pieces, contentType, extraHeaders) {
  const encoded = pieces.map((p) => encoder.encode(p));
  return () => {
    let i = 0;
    const body = new ReadableStream({
      pull(controller) {
        if (i < encoded.length) controller.enqueue(encoded[i++]);
        else controller.close();
      },
    });
    return new Response(body, { status: 200, headers: { 'content-type': contentType, ...extraHeaders } });
  };
}

function tokenText(i) {
  return i % 2 === 0 ? ' token' : ' word';
}

/** Usage as OpenAI reports it today, with the cached and reasoning details (both 0 here). */
function openaiUsage(outputTokens) {
  return {
    prompt_tokens: PROMPT_TOKENS,
    completion_tokens: outputTokens,
    total_tokens: PROMPT_TOKENS + outputTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

function openaiChat(outputTokens) {
  let content = '';
  for (let i = 0; i < outputTokens; i++) content += tokenText(i);
  return JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created: CREATED,
    model: OPENAI_RESPONSE_MODEL,
    choices: [
      { index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: 'stop' },
    ],
    usage: openaiUsage(outputTokens),
    system_fingerprint: 'fp_bench',
  });
}

/** `chunks` content chunks (the last with finish_reason), a usage-only chunk, then `[DONE]`. */
function openaiChatStream(chunks) {
  const base = {
    id: 'chatcmpl-bench',
    object: 'chat.completion.chunk',
    created: CREATED,
    model: OPENAI_RESPONSE_MODEL,
  };
  const events = [];
  for (let i = 0; i < chunks; i++) {
    const delta = i === 0 ? { role: 'assistant', content: tokenText(i) } : { content: tokenText(i) };
    const choice = { index: 0, delta, logprobs: null, finish_reason: i === chunks - 1 ? 'stop' : null };
    events.push(
      `data: ${JSON.stringify({ ...base, system_fingerprint: 'fp_bench', choices: [choice], usage: null })}\n\n`,
    );
  }
  const usage = openaiUsage(chunks);
  events.push(`data: ${JSON.stringify({ ...base, choices: [], usage })}\n\n`);
  events.push('data: [DONE]\n\n');
  return events;
}

function openaiEmbedding() {
  const embedding = Array.from({ length: EMBEDDING_DIMENSIONS }, (_, i) => Math.sin(i) / 3);
  return JSON.stringify({
    object: 'list',
    data: [{ object: 'embedding', index: 0, embedding }],
    model: 'text-embedding-3-small',
    usage: { prompt_tokens: 8, total_tokens: 8 },
  });
}

/** Usage as Anthropic reports it (input without the cache parts, which are 0 here). */
function anthropicUsage(outputTokens) {
  return {
    input_tokens: PROMPT_TOKENS,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: outputTokens,
    service_tier: 'standard',
  };
}

function anthropicMessage(outputTokens) {
  let text = '';
  for (let i = 0; i < outputTokens; i++) text += tokenText(i);
  return JSON.stringify({
    id: 'msg_bench',
    type: 'message',
    role: 'assistant',
    model: ANTHROPIC_RESPONSE_MODEL,
    content: [{ type: 'text', text }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: anthropicUsage(outputTokens),
  });
}

/** Anthropic's events: message_start, one text block of `chunks` deltas, message_delta, message_stop. */
function anthropicStream(chunks) {
  const event = (type, data) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  const message = JSON.parse(anthropicMessage(0));
  const events = [
    event('message_start', { message: { ...message, content: [], stop_reason: null, usage: anthropicUsage(1) } }),
    event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    event('ping', {}),
  ];
  for (let i = 0; i < chunks; i++) {
    events.push(event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: tokenText(i) } }));
  }
  events.push(
    event('content_block_stop', { index: 0 }),
    event('message_delta', {
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: chunks },
    }),
    event('message_stop', {}),
  );
  return events;
}

/** A Converse answer: one text block of `outputTokens` tokens, its usage and latency. */
function bedrockConverse(outputTokens) {
  let text = '';
  for (let i = 0; i < outputTokens; i++) text += tokenText(i);
  return JSON.stringify({
    output: { message: { role: 'assistant', content: [{ text }] } },
    stopReason: 'end_turn',
    usage: { inputTokens: PROMPT_TOKENS, outputTokens, totalTokens: PROMPT_TOKENS + outputTokens },
    metrics: { latencyMs: 412 },
  });
}

const OLLAMA_TIMING = { total_duration: 1_500_000_000, load_duration: 20_000_000, prompt_eval_duration: 80_000_000 };

function ollamaChat(outputTokens) {
  let content = '';
  for (let i = 0; i < outputTokens; i++) content += tokenText(i);
  return JSON.stringify({
    model: OLLAMA_MODEL,
    created_at: '2025-10-09T10:00:00.000000Z',
    message: { role: 'assistant', content },
    done_reason: 'stop',
    done: true,
    ...OLLAMA_TIMING,
    prompt_eval_count: PROMPT_TOKENS,
    eval_count: outputTokens,
    eval_duration: outputTokens * 7_000_000,
  });
}

/** NDJSON: `chunks` content lines, then the final `done` line with the counters. */
function ollamaGenerateStream(chunks) {
  const lines = [];
  for (let i = 0; i < chunks; i++) {
    lines.push(
      `${JSON.stringify({ model: OLLAMA_MODEL, created_at: '2025-10-09T10:00:00.000000Z', response: tokenText(i), done: false })}\n`,
    );
  }
  lines.push(
    `${JSON.stringify({
      model: OLLAMA_MODEL,
      created_at: '2025-10-09T10:00:00.000000Z',
      response: '',
      done: true,
      done_reason: 'stop',
      ...OLLAMA_TIMING,
      prompt_eval_count: PROMPT_TOKENS,
      eval_count: chunks,
      eval_duration: chunks * 7_000_000,
    })}\n`,
  );
  return lines;
}

/**
 * The in-process transports, one per client. Each answers by the request path (and, for chat, by
 * whether the request asked for a stream: the openai and ollama clients put it in the JSON body).
 */
export function openaiFetch() {
  const chat = jsonResponse(openaiChat(STREAM_CHUNKS), OPENAI_HEADERS);
  const stream = streamResponse(openaiChatStream(STREAM_CHUNKS), 'text/event-stream', OPENAI_HEADERS);
  const stream1 = streamResponse(openaiChatStream(1), 'text/event-stream', OPENAI_HEADERS);
  const embeddings = jsonResponse(openaiEmbedding(), OPENAI_HEADERS);
  return async (url, init) => {
    const path = String(url);
    if (path.endsWith('/embeddings')) return embeddings();
    const body = typeof init?.body === 'string' ? init.body : '';
    if (body.includes('"stream":true')) return body.includes('"max_tokens":1') ? stream1() : stream();
    return chat();
  };
}

export function ollamaFetch() {
  const chat = jsonResponse(ollamaChat(STREAM_CHUNKS), OLLAMA_HEADERS);
  const generate = streamResponse(ollamaGenerateStream(STREAM_CHUNKS), 'application/x-ndjson', OLLAMA_HEADERS);
  return async (url) => {
    const path = String(url);
    if (path.endsWith('/api/generate')) return generate();
    return chat();
  };
}

export function anthropicFetch() {
  const message = jsonResponse(anthropicMessage(STREAM_CHUNKS), ANTHROPIC_HEADERS);
  const stream = streamResponse(anthropicStream(STREAM_CHUNKS), 'text/event-stream', ANTHROPIC_HEADERS);
  return async (_url, init) => {
    const body = typeof init?.body === 'string' ? init.body : '';
    return body.includes('"stream":true') ? stream() : message();
  };
}

/**
 * The Bedrock Runtime client's transport (a smithy request handler, as its `requestHandler` option
 * takes): answers every request with the canned Converse response (Bedrock sends no rate-limit
 * headers). The body is a Node stream, as the SDK's own HTTP handler gives it.
 */
export function bedrockRequestHandler() {
  const converse = Buffer.from(bedrockConverse(STREAM_CHUNKS));
  return {
    metadata: { handlerProtocol: 'http/1.1' },
    async handle() {
      const response = {
        statusCode: 200,
        reason: 'OK',
        headers: {
          'content-type': 'application/json',
          'content-length': String(converse.length),
          'x-amzn-requestid': 'req_bench',
        },
        body: Readable.from([converse]),
      };
      return { response };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs() {
      return {};
    },
    destroy() {},
  };
}

export const MODELS = {
  openai: OPENAI_MODEL,
  ollama: OLLAMA_MODEL,
  anthropic: ANTHROPIC_MODEL,
  bedrock: BEDROCK_MODEL,
};
