import { afterEach, describe, expect, it } from 'vitest';
import { formatGoDuration, ModelSimulator, RateLimitWindows } from '../src/index.js';

describe('formatGoDuration', () => {
  it.each([
    [0, '0s'],
    [12, '12ms'],
    [999, '999ms'],
    [1000, '1s'],
    [59_998, '59.998s'],
    [1_500, '1.5s'],
    [360_000, '6m0s'],
    [3_723_500, '1h2m3.5s'],
  ])('%d ms is %s (as Go writes it; the instrumentation tests read it back with core)', (ms, text) => {
    expect(formatGoDuration(ms)).toBe(text);
  });
});

describe('RateLimitWindows', () => {
  it('remaining decreases within a window, a full window refuses with retry-after, and resets after it', () => {
    let now = 1_000_000;
    const windows = new RateLimitWindows({ requestsPerMinute: 2, tokensPerMinute: 100 }, () => now);
    expect(windows.admit(30, true)).toEqual({
      refused: false,
      headers: {
        'x-ratelimit-limit-requests': '2',
        'x-ratelimit-limit-tokens': '100',
        'x-ratelimit-remaining-requests': '1',
        'x-ratelimit-remaining-tokens': '70',
        'x-ratelimit-reset-requests': '1m0s',
        'x-ratelimit-reset-tokens': '1m0s',
      },
    });
    now += 12_500;
    const second = windows.admit(30, true);
    expect(second.headers['x-ratelimit-remaining-requests']).toBe('0');
    expect(second.headers['x-ratelimit-reset-requests']).toBe('47.5s');
    const third = windows.admit(30, true);
    expect(third.refused).toBe(true);
    expect(third.headers['retry-after']).toBe('48');
    expect(third.headers['x-ratelimit-remaining-tokens']).toBe('40');
    now += 47_500;
    const afterReset = windows.admit(30, true);
    expect(afterReset.refused).toBe(false);
    expect(afterReset.headers['x-ratelimit-remaining-requests']).toBe('1');
  });

  it('too many tokens refuse the request too', () => {
    const windows = new RateLimitWindows({ requestsPerMinute: 100, tokensPerMinute: 50 }, () => 0);
    expect(windows.admit(60, true).refused).toBe(true);
    expect(windows.admit(40, true).refused).toBe(false);
  });
});

describe('the OpenAI wire', () => {
  const scripted = new ModelSimulator({}, { scripted: true });
  const random = new ModelSimulator({
    rateLimitRate: 0,
    serverErrorRate: 0,
    firstTokenMedianMs: 1,
    perTokenMedianMs: 0.1,
  });
  afterEach(async () => {
    await scripted.stop();
    await random.stop();
  });
  const post = async (origin: string, path: string, body: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${origin}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return { response, json: (await response.json()) as Record<string, unknown> };
  };
  const messages = [{ role: 'user', content: 'hi' }];

  it('scripted: cached and reasoning details from the script header and o-series names, rate-limit headers', async () => {
    const origin = await scripted.start();
    const a = await post(
      origin,
      '/v1/chat/completions',
      { model: 'gpt-4o-mini', messages },
      {
        'x-simulator-script': 'cached-4',
      },
    );
    expect(a.json.usage).toMatchObject({ prompt_tokens: 11, prompt_tokens_details: { cached_tokens: 4 } });
    expect(a.response.headers.get('x-ratelimit-remaining-requests')).toBe('9999');
    const b = await post(origin, '/v1/chat/completions', { model: 'o4-mini', messages });
    expect(b.json.usage).toMatchObject({ completion_tokens: 7, completion_tokens_details: { reasoning_tokens: 4 } });
    expect(b.response.headers.get('x-ratelimit-remaining-requests')).toBe('9998');
    const c = await post(origin, '/v1/chat/completions', { model: 'gpt-test+nolimits', messages });
    expect(c.response.headers.get('x-ratelimit-remaining-requests')).toBeNull();
    const d = await post(origin, '/v1/chat/completions', { model: 'fail-429', messages });
    expect(d.response.status).toBe(429);
    expect(d.response.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(d.response.headers.get('x-ratelimit-limit-tokens')).toBe('2000000');
    const ollama = await post(origin, '/api/chat', { model: 'llama3.2', messages, stream: false });
    expect(ollama.response.headers.get('x-ratelimit-limit-requests')).toBeNull();
  });

  it('scripted: a 429 without rate limits still says retry-after', async () => {
    const origin = await scripted.start();
    const { response } = await post(origin, '/v1/chat/completions', { model: 'fail-429+nolimits', messages });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(response.headers.get('x-ratelimit-limit-requests')).toBeNull();
    scripted.headerOverrides = { 'retry-after-ms': null };
    const again = await post(origin, '/v1/chat/completions', { model: 'fail-500', messages });
    expect(again.response.headers.get('retry-after-ms')).toBeNull();
    expect(again.response.headers.get('retry-after')).toBeNull();
    scripted.headerOverrides = undefined;
  });

  it('scripted: header overrides set and remove headers', async () => {
    const origin = await scripted.start();
    scripted.headerOverrides = { 'x-ratelimit-remaining-tokens': 'abc', 'x-ratelimit-reset-tokens': null };
    const { response } = await post(origin, '/v1/chat/completions', { model: 'gpt-test', messages });
    expect(response.headers.get('x-ratelimit-remaining-tokens')).toBe('abc');
    expect(response.headers.get('x-ratelimit-reset-tokens')).toBeNull();
    expect(response.headers.get('x-ratelimit-limit-tokens')).toBe('2000000');
    scripted.headerOverrides = undefined;
  });

  it('random: a repeated prompt reports a cached share, an o-series model reasoning tokens', async () => {
    const origin = await random.start();
    const first = await post(origin, '/v1/chat/completions', { model: 'gpt-4o-mini', messages });
    expect(first.json.usage).toMatchObject({ prompt_tokens_details: { cached_tokens: 0 } });
    const again = await post(origin, '/v1/chat/completions', { model: 'o3-mini', messages });
    const usage = again.json.usage as {
      prompt_tokens: number;
      completion_tokens: number;
      prompt_tokens_details: { cached_tokens: number };
      completion_tokens_details: { reasoning_tokens: number };
    };
    expect(usage.prompt_tokens_details.cached_tokens).toBe(Math.floor(usage.prompt_tokens * 0.5));
    expect(usage.completion_tokens_details.reasoning_tokens).toBe(Math.round(usage.completion_tokens * 0.6));
    expect(Number(again.response.headers.get('x-ratelimit-remaining-requests'))).toBe(2998);
    expect(random.totals().cachedTokens).toBe(usage.prompt_tokens_details.cached_tokens);
  });
});
