/** Retry settings of the MLflow sync (off the request path only). */
export interface RetryOptions {
  /** Tries per round before the work waits for the next round (the next poll). Default 5. */
  attempts: number;
  /** Delay after the first failure, doubled after each further one. Default 1000 ms. */
  initialDelayMs: number;
  /** Longest delay between tries. Default 30000 ms. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 5, initialDelayMs: 1000, maxDelayMs: 30_000 };

/** The delay before try `attempt + 1` (attempt counts from 1): exponential, capped, with up to 20% jitter. */
export function backoffDelay(attempt: number, retry: RetryOptions, random: () => number = Math.random): number {
  const base = Math.min(retry.maxDelayMs, retry.initialDelayMs * 2 ** Math.min(attempt - 1, 30));
  // Jitter spreads the retries of many instances restarted together.
  return Math.round(base * (0.8 + 0.2 * random()));
}

/** A timer that can be cancelled and never keeps the process alive. */
export function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    timer.unref?.();
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
