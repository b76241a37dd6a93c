import { metrics } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { ModelRegistry, type ModelRegistryChange, ModelRegistryError } from '../src/index.js';
import { collectByName, installProvider, pointsWith } from './collect.js';

describe('model registry change listeners', () => {
  afterEach(() => metrics.disable());

  it('tells listeners about each registration and removal, in order, after the change is made', () => {
    const registry = new ModelRegistry();
    const seen: Array<[ModelRegistryChange['kind'], string, string | undefined, string | undefined]> = [];
    registry.onChange((change) => {
      // The registry already holds the change when listeners run.
      expect(registry.getModelVersion(change.model.modelName)).toBe(
        change.kind === 'registered' ? change.model.version : undefined,
      );
      seen.push([change.kind, change.model.modelName, change.model.version, change.previous?.version]);
    });
    registry.registerModel({ modelName: 'mistral', version: 'v1', modelHash: 'abc123' });
    registry.registerModel({ modelName: 'mistral', version: 'v2', modelHash: 'abc124' });
    registry.unregisterModel('mistral');
    registry.unregisterModel('mistral'); // nothing to remove: no change
    expect(seen).toEqual([
      ['registered', 'mistral', 'v1', undefined],
      ['registered', 'mistral', 'v2', 'v1'],
      ['unregistered', 'mistral', 'v2', 'v2'],
    ]);
  });

  it('a rejected registration is no change; unsubscribing stops the calls', () => {
    const registry = new ModelRegistry();
    const seen: string[] = [];
    const off = registry.onChange((change) => seen.push(change.model.version));
    expect(() => registry.registerModel({ modelName: 'm', version: 'has space', modelHash: 'abc123' })).toThrow(
      ModelRegistryError,
    );
    registry.registerModel({ modelName: 'm', version: 'v1', modelHash: 'abc123' });
    off();
    registry.registerModel({ modelName: 'm', version: 'v2', modelHash: 'abc123' });
    expect(seen).toEqual(['v1']);
  });

  it('a listener that throws never reaches the caller: the change stands, the others still run, the error is counted', async () => {
    const { reader } = installProvider();
    const registry = new ModelRegistry();
    const after: string[] = [];
    registry.onChange(() => {
      throw new Error('listener bug');
    });
    registry.onChange((change) => after.push(change.model.version));
    const info = registry.registerModel({ modelName: 'm', version: 'v1', modelHash: 'abc123' });
    expect(info.version).toBe('v1');
    expect(registry.getModelVersion('m')).toBe('v1');
    expect(after).toEqual(['v1']);
    const errors = (await collectByName(reader)).get('llm_otel_internal_errors_total');
    expect(pointsWith<number>(errors, { 'llm_otel.component': 'modelRegistryListener' })[0]?.value).toBe(1);
  });

  it('rejects a listener that is not a function', () => {
    const registry = new ModelRegistry();
    expect(() => registry.onChange('nope' as unknown as () => void)).toThrow(ModelRegistryError);
  });
});
