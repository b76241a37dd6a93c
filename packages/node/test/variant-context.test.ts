// register() gives prompt variants an AsyncLocalStorage context manager when they are first used
// and the app has none; an app's own is kept.
import { setTimeout as sleep } from 'node:timers/promises';
import { currentVariant, defineVariant, type Variant, withVariant } from '@llm-otel/core';
import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { register } from '../src/index.js';

const a = defineVariant({ name: 'node-ctx-a', temperature: 0.1 });
const b = defineVariant({ name: 'node-ctx-b', temperature: 0.9 });

afterEach(() => {
  context.disable();
});

async function request(variant: Variant, pauses: number[]): Promise<string[]> {
  return withVariant(variant, async () => {
    const seen: string[] = [];
    for (const ms of pauses) {
      await sleep(ms);
      seen.push(currentVariant()?.name ?? 'none');
    }
    return seen;
  });
}

describe('the context of prompt variants', () => {
  it('register() sets up an AsyncLocalStorage context manager on first use; concurrent requests keep their variant; shutdown removes it', async () => {
    const handle = register({ prometheus: false, otlp: false, instrumentations: [] });
    try {
      // Nothing is registered until a variant is used.
      expect(context.with(ROOT_CONTEXT.setValue(Symbol('k'), 1), () => context.active())).toBe(ROOT_CONTEXT);
      const [seenA, seenB] = await Promise.all([request(a, [4, 1, 4]), request(b, [1, 4, 1])]);
      expect(seenA).toEqual(['node-ctx-a', 'node-ctx-a', 'node-ctx-a']);
      expect(seenB).toEqual(['node-ctx-b', 'node-ctx-b', 'node-ctx-b']);
      expect(currentVariant()).toBeUndefined();
    } finally {
      await handle.shutdown();
    }
    // Gone with the shutdown: without a context manager the variant does not stick.
    expect(withVariant(a, () => currentVariant())).toBeUndefined();
  });

  it("keeps the app's own context manager", async () => {
    const own = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(own);
    const handle = register({ prometheus: false, otlp: false, instrumentations: [] });
    try {
      expect(await request(a, [1])).toEqual(['node-ctx-a']);
    } finally {
      await handle.shutdown();
    }
    // Still the app's after the shutdown.
    expect(await request(b, [1])).toEqual(['node-ctx-b']);
    own.disable();
  });
});
