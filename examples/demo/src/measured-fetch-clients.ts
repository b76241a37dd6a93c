import { getLlmMetrics } from '@llm-otel/core';

/**
 * Two tiny LLM clients built on fetch, measured by hand with the recording API: what an app that
 * calls models without the `openai` or `ollama` packages does. (With those packages, the
 * auto-instrumentation records the same metrics with no code.)
 */

export interface CallResult {
  ok: boolean;
  status: number;
}

const metrics = getLlmMetrics();

function endpoint(baseUrl: string): { serverAddress: string; serverPort: number } {
  const url = new URL(baseUrl);
  return { serverAddress: url.hostname, serverPort: Number(url.port) || (url.protocol === 'https:' ? 443 : 80) };
}

/** Reads a response body line by line (SSE and NDJSON are both line-based). */
async function* lines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(chunk, { stream: true });
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      yield buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      newline = buffered.indexOf('\n');
    }
  }
  if (buffered !== '') yield buffered;
}

/** POST /v1/chat/completions, plain or streaming (asking for the usage chunk). */
export async function openAIChat(baseUrl: string, model: string, stream: boolean): Promise<CallResult> {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  const common = { provider: 'openai', operation: 'chat', model, ...endpoint(baseUrl) };
  const response = await fetch(`${baseUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-demo' },
    body: JSON.stringify({
      model,
      messages: [{ role: 'user', content: 'Summarise the release notes.' }],
      stream,
      ...(stream ? { stream_options: { include_usage: true } } : {}),
    }),
  });
  if (!response.ok || response.body === null) {
    await response.body?.cancel();
    metrics.recordInference({ ...common, durationSeconds: seconds(), error: { status: response.status } });
    return { ok: false, status: response.status };
  }
  if (!stream) {
    const body = (await response.json()) as {
      model: string;
      usage: { prompt_tokens: number; completion_tokens: number };
    };
    metrics.recordInference({
      ...common,
      responseModel: body.model,
      durationSeconds: seconds(),
      inputTokens: body.usage.prompt_tokens,
      outputTokens: body.usage.completion_tokens,
    });
    return { ok: true, status: response.status };
  }
  let firstToken: number | undefined;
  let responseModel: string | undefined;
  let usage: { prompt_tokens: number; completion_tokens: number } | undefined;
  for await (const line of lines(response.body)) {
    if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
    const chunk = JSON.parse(line.slice(6)) as {
      model: string;
      choices: Array<{ delta: { content?: string } }>;
      usage?: { prompt_tokens: number; completion_tokens: number };
    };
    responseModel = chunk.model;
    if (firstToken === undefined && chunk.choices[0]?.delta.content) firstToken = seconds();
    if (chunk.usage) usage = chunk.usage;
  }
  metrics.recordInference({
    ...common,
    responseModel,
    durationSeconds: seconds(),
    timeToFirstTokenSeconds: firstToken,
    inputTokens: usage?.prompt_tokens,
    outputTokens: usage?.completion_tokens,
  });
  return { ok: true, status: response.status };
}

/** POST /api/chat (Ollama), plain or streaming NDJSON. */
export async function ollamaChat(baseUrl: string, model: string, stream: boolean): Promise<CallResult> {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  const common = { provider: 'ollama', operation: 'chat', model, ...endpoint(baseUrl) };
  const response = await fetch(`${baseUrl}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Which intent is this?' }], stream }),
  });
  if (!response.ok || response.body === null) {
    await response.body?.cancel();
    metrics.recordInference({ ...common, durationSeconds: seconds(), error: { status: response.status } });
    return { ok: false, status: response.status };
  }
  let firstToken: number | undefined;
  let final: { model: string; prompt_eval_count?: number; eval_count?: number } | undefined;
  for await (const line of lines(response.body)) {
    if (line.trim() === '') continue;
    const part = JSON.parse(line) as {
      model: string;
      done: boolean;
      message?: { content?: string };
      prompt_eval_count?: number;
      eval_count?: number;
    };
    if (stream && firstToken === undefined && part.message?.content) firstToken = seconds();
    if (part.done) final = part;
  }
  metrics.recordInference({
    ...common,
    responseModel: final?.model,
    durationSeconds: seconds(),
    timeToFirstTokenSeconds: firstToken,
    inputTokens: final?.prompt_eval_count,
    outputTokens: final?.eval_count,
  });
  return { ok: true, status: response.status };
}
