import { describe, expect, it } from 'vitest';
import { MAX_MODELS, ModelRegistry, ModelRegistryError } from '../src/index.js';

describe('model registry limits', () => {
  it(`holds at most ${MAX_MODELS} models (bounded series), refusing one more with a clear error`, () => {
    const registry = new ModelRegistry();
    for (let i = 0; i < MAX_MODELS; i++)
      registry.registerModel({ modelName: `m${i}`, version: 'v1', modelHash: 'abcdef' });
    expect(() => registry.registerModel({ modelName: 'one-more', version: 'v1', modelHash: 'abcdef' })).toThrow(
      ModelRegistryError,
    );
    expect(() => registry.registerModel({ modelName: 'one-more', version: 'v1', modelHash: 'abcdef' })).toThrow(
      /holds 1000 models already/,
    );
    // Re-deploying a registered model is still allowed, and so is a new one after an unregister.
    registry.registerModel({ modelName: 'm0', version: 'v2', modelHash: 'abcdef' });
    registry.unregisterModel('m1');
    registry.registerModel({ modelName: 'one-more', version: 'v1', modelHash: 'abcdef' });
    expect(registry.listModels()).toHaveLength(MAX_MODELS);
  });
});
