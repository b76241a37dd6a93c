import { describe, expect, it } from 'vitest';
import { headerGetter, parseRateLimitHeaders } from '../src/index.js';

const NOW = Date.parse('2026-11-30T14:40:00Z');

describe('parseRateLimitHeaders', () => {
  it('reads OpenAI headers from fetch Headers', () => {
    const headers = new Headers({
      'x-ratelimit-limit-requests': '10000',
      'x-ratelimit-remaining-requests': '9999',
      'x-ratelimit-reset-requests': '6ms',
      'x-ratelimit-limit-tokens': '2000000',
      'x-ratelimit-remaining-tokens': '1999500',
      'x-ratelimit-reset-tokens': '1h2m3.5s',
    });
    const info = parseRateLimitHeaders((name) => headers.get(name), { nowMs: NOW });
    expect(info).toEqual({
      windows: [
        { kind: 'requests', limit: 10_000, remaining: 9_999, resetSeconds: 0.006 },
        { kind: 'tokens', limit: 2_000_000, remaining: 1_999_500, resetSeconds: 3723.5 },
      ],
      malformed: [],
    });
  });

  it('reads Anthropic headers, turning reset times into seconds from now', () => {
    const get = headerGetter({
      'anthropic-ratelimit-requests-limit': '4000',
      'anthropic-ratelimit-requests-remaining': '3999',
      'anthropic-ratelimit-requests-reset': '2026-11-30T14:40:12Z',
      'anthropic-ratelimit-tokens-limit': '480000',
      'anthropic-ratelimit-tokens-remaining': '470000',
      'anthropic-ratelimit-tokens-reset': '2026-11-30T14:41:00Z',
      'anthropic-ratelimit-input-tokens-limit': '400000',
      'anthropic-ratelimit-input-tokens-remaining': '399000',
      'anthropic-ratelimit-input-tokens-reset': '2026-11-30T14:40:00.500Z',
      'anthropic-ratelimit-output-tokens-limit': '80000',
      'anthropic-ratelimit-output-tokens-remaining': '71000',
      // Already passed: resets now.
      'anthropic-ratelimit-output-tokens-reset': '2026-11-30T14:39:00Z',
    });
    const info = parseRateLimitHeaders(get, { nowMs: NOW, scheme: 'anthropic' });
    expect(info.windows).toEqual([
      { kind: 'requests', limit: 4000, remaining: 3999, resetSeconds: 12 },
      { kind: 'tokens', limit: 480_000, remaining: 470_000, resetSeconds: 60 },
      { kind: 'input_tokens', limit: 400_000, remaining: 399_000, resetSeconds: 0.5 },
      { kind: 'output_tokens', limit: 80_000, remaining: 71_000, resetSeconds: 0 },
    ]);
    expect(info.malformed).toEqual([]);
    expect(info.retryAfterSeconds).toBeUndefined();
  });

  it('gives no window and no error for a server without such headers', () => {
    const info = parseRateLimitHeaders(headerGetter({ 'content-type': 'application/json' }), { nowMs: NOW });
    expect(info).toEqual({ windows: [], malformed: [] });
  });

  it('reads retry-after as seconds or an HTTP-date, and prefers retry-after-ms', () => {
    expect(parseRateLimitHeaders(headerGetter({ 'retry-after': '20' }), { nowMs: NOW }).retryAfterSeconds).toBe(20);
    expect(
      parseRateLimitHeaders(headerGetter({ 'Retry-After': 'Mon, 30 Nov 2026 14:41:00 GMT' }), { nowMs: NOW })
        .retryAfterSeconds,
    ).toBe(60);
    expect(
      parseRateLimitHeaders(headerGetter({ 'retry-after': '20', 'retry-after-ms': '1500' }), { nowMs: NOW })
        .retryAfterSeconds,
    ).toBe(1.5);
    // A malformed retry-after-ms is counted and retry-after still used.
    const fallback = parseRateLimitHeaders(headerGetter({ 'retry-after': '20', 'retry-after-ms': 'soon' }), {
      nowMs: NOW,
    });
    expect(fallback.retryAfterSeconds).toBe(20);
    expect(fallback.malformed).toEqual([{ name: 'retry-after-ms', reason: 'invalid_number' }]);
  });

  it('keeps the valid fields of a window and lists each malformed header by name and reason only', () => {
    const secret = '-1sk-should-never-be-reported';
    const info = parseRateLimitHeaders(
      headerGetter({
        'x-ratelimit-limit-requests': '1e309',
        'x-ratelimit-remaining-requests': ' 42 ',
        'x-ratelimit-reset-requests': '5m5m',
        'x-ratelimit-limit-tokens': secret,
        'x-ratelimit-remaining-tokens': '',
        'x-ratelimit-reset-tokens': '12',
      }),
      { nowMs: NOW, scheme: 'openai' },
    );
    expect(info.windows).toEqual([{ kind: 'requests', remaining: 42 }]);
    expect(info.malformed).toEqual([
      { name: 'x-ratelimit-limit-requests', reason: 'invalid_number' },
      { name: 'x-ratelimit-reset-requests', reason: 'invalid_duration' },
      { name: 'x-ratelimit-limit-tokens', reason: 'invalid_number' },
      { name: 'x-ratelimit-remaining-tokens', reason: 'empty' },
      { name: 'x-ratelimit-reset-tokens', reason: 'invalid_duration' },
    ]);
    expect(JSON.stringify(info)).not.toContain('should-never');
  });

  it.each([
    ['negative', '-5', 'invalid_number'],
    ['NaN', 'NaN', 'invalid_number'],
    ['huge', '9'.repeat(20), 'out_of_range'],
    ['1e309', '1e309', 'invalid_number'],
    ['empty', '', 'empty'],
    ['blank', ' \t ', 'empty'],
    ['fraction', '1.5', 'invalid_number'],
    ['inner space', '1 000', 'invalid_number'],
    ['repeated header', '100, 200', 'invalid_number'],
    ['over 64 characters', '1'.repeat(65), 'too_long'],
    ['over 64 characters before trimming', ` ${'1'.repeat(64)}`, 'too_long'],
  ])('refuses a %s count', (_name, raw, expected) => {
    const info = parseRateLimitHeaders(headerGetter({ 'x-ratelimit-remaining-tokens': raw }), {
      nowMs: NOW,
      scheme: 'openai',
    });
    expect(info.windows).toEqual([]);
    expect(info.malformed).toEqual([{ name: 'x-ratelimit-remaining-tokens', reason: expected }]);
  });

  it('accepts a value of exactly 64 characters with surrounding whitespace trimmed', () => {
    const info = parseRateLimitHeaders(headerGetter({ 'x-ratelimit-reset-tokens': `${' '.repeat(62)}1s` }), {
      nowMs: NOW,
    });
    expect(info.windows).toEqual([{ kind: 'tokens', resetSeconds: 1 }]);
  });

  it('never throws, whatever the getter does', () => {
    const throwing = (name: string): string => {
      if (name === 'x-ratelimit-limit-tokens') throw new Error('boom');
      return name === 'x-ratelimit-remaining-tokens' ? '7' : (undefined as unknown as string);
    };
    const info = parseRateLimitHeaders(throwing, { nowMs: NOW });
    expect(info.windows).toEqual([{ kind: 'tokens', remaining: 7 }]);
    expect(info.malformed).toEqual([{ name: 'x-ratelimit-limit-tokens', reason: 'unreadable' }]);

    const wrongType = parseRateLimitHeaders(() => 12 as unknown as string, { nowMs: NOW, scheme: 'openai' });
    expect(wrongType.windows).toEqual([]);
    expect(wrongType.malformed.every((m) => m.reason === 'unreadable')).toBe(true);
  });

  it('reads plain records case-insensitively, with numbers and repeated values', () => {
    const get = headerGetter({
      'X-RateLimit-Limit-Requests': 500,
      'x-ratelimit-remaining-requests': ['499'],
      'x-ratelimit-remaining-tokens': ['1', '2'],
    });
    expect(get('x-ratelimit-limit-requests')).toBe('500');
    expect(get('x-ratelimit-remaining-requests')).toBe('499');
    expect(get('x-ratelimit-remaining-tokens')).toBe('1, 2');
    expect(get('x-missing')).toBeUndefined();
  });

  it('stays linear on long adversarial values', () => {
    // Bounded to 64 characters first, so even pathological values cost a constant.
    const values = ['1'.repeat(100_000), `${'1h'.repeat(32)}`, `${'9.'.repeat(32)}`, `${'0'.repeat(63)}s`];
    for (const raw of values) {
      const info = parseRateLimitHeaders(headerGetter({ 'x-ratelimit-reset-tokens': raw }), { nowMs: NOW });
      expect(info.windows.length + info.malformed.length).toBe(1);
    }
  });
});
