import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { formatRfc3339, ModelSimulator, RateLimitWindows, SCRIPTED_ANTHROPIC_USAGE } from '../src/index.js';

describe('Anthropic rate limits', () => {
  it('four windows with RFC 3339 resets; tokens is the tighter of input and output; a full window refuses', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    const windows = new RateLimitWindows({ requestsPerMinute: 2, tokensPerMinute: 100 }, () => now);
    const first = windows.admitAnthropic(10, 15, true);
    expect(first).toEqual({
      refused: false,
      headers: {
        'anthropic-ratelimit-requests-limit': '2',
        'anthropic-ratelimit-requests-remaining': '1',
        'anthropic-ratelimit-requests-reset': '2026-01-01T00:01:00Z',
        // Output has 5 of 20 left (25 %), input 90 of 100: output is tighter.
        'anthropic-ratelimit-tokens-limit': '20',
        'anthropic-ratelimit-tokens-remaining': '5',
        'anthropic-ratelimit-tokens-reset': '2026-01-01T00:01:00Z',
        'anthropic-ratelimit-input-tokens-limit': '100',
        'anthropic-ratelimit-input-tokens-remaining': '90',
        'anthropic-ratelimit-input-tokens-reset': '2026-01-01T00:01:00Z',
        'anthropic-ratelimit-output-tokens-limit': '20',
        'anthropic-ratelimit-output-tokens-remaining': '5',
        'anthropic-ratelimit-output-tokens-reset': '2026-01-01T00:01:00Z',
      },
    });
    const refused = windows.admitAnthropic(10, 15, true);
    expect(refused.refused).toBe(true);
    expect(refused.headers['retry-after']).toBe('60');
    expect(formatRfc3339(now + 1)).toBe('2026-01-01T00:00:01Z');
  });
});

describe('the Anthropic wire', () => {
  const scripted = new ModelSimulator({}, { scripted: true });
  afterEach(async () => {
    await scripted.stop();
    scripted.ledger.clear();
  });
  const post = (origin: string, body: unknown, path = '/v1/messages') =>
    fetch(`${origin}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const messages = [{ role: 'user', content: 'hi' }];

  it('a message counts input without the cache parts; the ledger holds every prompt token', async () => {
    const origin = await scripted.start();
    const response = await post(origin, { model: 'claude-test+cached-4+written-3', max_tokens: 10, messages });
    expect(response.headers.get('anthropic-ratelimit-requests-remaining')).toBe('9999');
    expect(await response.json()).toMatchObject({
      type: 'message',
      model: 'claude-test+cached-4+written-3-2024-07-18',
      content: [{ type: 'text', text: 'Hello there' }],
      stop_reason: 'end_turn',
      usage: {
        input_tokens: SCRIPTED_ANTHROPIC_USAGE.input - 7,
        cache_read_input_tokens: 4,
        cache_creation_input_tokens: 3,
        output_tokens: SCRIPTED_ANTHROPIC_USAGE.output,
      },
    });
    expect(scripted.totals()).toMatchObject({
      promptTokens: SCRIPTED_ANTHROPIC_USAGE.input,
      cachedTokens: 4,
      cacheWriteTokens: 3,
      completionTokens: SCRIPTED_ANTHROPIC_USAGE.output,
    });
  });

  it('errors as Anthropic sends them: 429 with retry-after and the rate-limit headers, 529 overloaded', async () => {
    const origin = await scripted.start();
    const limited = await post(origin, { model: 'fail-429', max_tokens: 10, messages });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(limited.headers.get('anthropic-ratelimit-tokens-limit')).not.toBeNull();
    expect(await limited.json()).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    const overloaded = await post(origin, { model: 'fail-529', max_tokens: 10, messages });
    expect(overloaded.status).toBe(529);
    expect(await overloaded.json()).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
  });

  it('count_tokens answers the prompt tokens and adds no tokens to the ledger', async () => {
    const origin = await scripted.start();
    const response = await post(origin, { model: 'claude-test', messages }, '/v1/messages/count_tokens');
    expect(await response.json()).toEqual({ input_tokens: SCRIPTED_ANTHROPIC_USAGE.input });
    expect(scripted.totals()).toMatchObject({ requests: 1, promptTokens: 0 });
  });
});

describe('the Anthropic wire, random mode', () => {
  const random = new ModelSimulator({
    rateLimitRate: 0,
    serverErrorRate: 0,
    firstTokenMedianMs: 1,
    perTokenMedianMs: 0.1,
  });
  afterEach(() => random.stop());

  it('a repeated prompt reads a cached share; input_tokens leave it out; no reasoning count', async () => {
    const origin = await random.start();
    const send = async () => {
      const response = await fetch(`${origin}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'claude-haiku-4-5',
          max_tokens: 100,
          messages: [{ role: 'user', content: 'hi' }],
        }),
      });
      return (await response.json()) as {
        usage: { input_tokens: number; cache_read_input_tokens: number };
        model: string;
      };
    };
    const first = await send();
    expect(first.usage.cache_read_input_tokens).toBe(0);
    const again = await send();
    const total = random.ledger.get('/v1/messages claude-haiku-4-5')?.promptTokens ?? 0;
    const read = again.usage.cache_read_input_tokens ?? 0;
    expect(read).toBeGreaterThan(0);
    expect(first.usage.input_tokens + again.usage.input_tokens + read).toBe(total);
    expect(random.totals()).toMatchObject({ cachedTokens: read, reasoningTokens: 0, cacheWriteTokens: 0 });
    expect(again.model).toBe('claude-haiku-4-5-sim');
  });

  it('a system prompt marked with cache_control is written to the cache once, then read', async () => {
    // A simulator of its own: its ledger and remembered prompts start empty.
    const fresh = new ModelSimulator({
      rateLimitRate: 0,
      serverErrorRate: 0,
      firstTokenMedianMs: 1,
      perTokenMedianMs: 0.1,
    });
    onTestFinished(() => fresh.stop());
    const origin = await fresh.start();
    const send = async () => {
      const response = await fetch(`${origin}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'claude-haiku-4-5',
          max_tokens: 100,
          system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
          messages: [{ role: 'user', content: 'hi' }],
        }),
      });
      return (
        (await response.json()) as {
          usage: { input_tokens: number; cache_read_input_tokens: number; cache_creation_input_tokens: number };
        }
      ).usage;
    };
    const first = await send();
    expect(first.cache_creation_input_tokens).toBeGreaterThan(0);
    expect(first.cache_read_input_tokens).toBe(0);
    const again = await send();
    expect(again.cache_creation_input_tokens).toBe(0);
    expect(again.cache_read_input_tokens).toBeGreaterThan(0);
    const total = fresh.ledger.get('/v1/messages claude-haiku-4-5')?.promptTokens ?? 0;
    const parts = (u: typeof first) => u.input_tokens + u.cache_read_input_tokens + u.cache_creation_input_tokens;
    expect(parts(first) + parts(again)).toBe(total);
    expect(fresh.totals()).toMatchObject({
      cachedTokens: again.cache_read_input_tokens,
      cacheWriteTokens: first.cache_creation_input_tokens,
    });
  });
});
