import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../src/backoff.js';

describe('retry backoff', () => {
  const retry = { attempts: 5, initialDelayMs: 100, maxDelayMs: 1000 };

  it('doubles from the initial delay up to the cap', () => {
    const top = () => 1; // no jitter taken off
    expect([1, 2, 3, 4, 5, 50].map((a) => backoffDelay(a, retry, top))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('takes off at most 20% as jitter', () => {
    expect(backoffDelay(1, retry, () => 0)).toBe(80);
    expect(backoffDelay(4, retry, () => 0.5)).toBe(720);
  });
});
