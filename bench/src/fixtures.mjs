// Canned LLM responses served by an in-process `fetch`: the real openai and ollama clients run their
// whole request/response path (request building, headers, JSON and SSE/NDJSON parsing) but no
// socket is opened, so what a benchmark measures is the client plus the instrumentation, never
// the network.

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

export const MODELS = { openai: OPENAI_MODEL, ollama: OLLAMA_MODEL };
