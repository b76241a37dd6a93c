import { metrics } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { getModelRegistry, ModelRegistryError } from '../src/index.js';
import { collectByName, installProvider, pointsWith } from './collect.js';

describe('model registry', () => {
  afterEach(() => {
    for (const m of getModelRegistry().listModels()) getModelRegistry().unregisterModel(m.modelName);
    metrics.disable();
  });

  it('registers a model as the spec shows and answers info and version', () => {
    const registry = getModelRegistry();
    expect(getModelRegistry()).toBe(registry);
    registry.registerModel({
      modelName: 'mistral',
      version: 'v1.0.0',
      modelHash: 'abc123',
      metadata: { deploymentDate: '2024-01-01' },
    });
    expect(registry.getModelVersion('mistral')).toBe('v1.0.0');
    expect(registry.getModelInfo('mistral')).toMatchObject({ modelName: 'mistral', modelHash: 'abc123' });
    expect(registry.getModelInfo('mistral')?.deployedAt.toISOString()).toBe('2024-01-01T00:00:00.000Z');
    expect(registry.getModelVersion('unknown')).toBeUndefined();
  });

  it('exports llm_model_version (info-style) and llm_model_deployed_at_seconds, one series per model', async () => {
    const { reader } = installProvider();
    const registry = getModelRegistry();
    registry.registerModel({
      modelName: 'mistral',
      version: 'v1.0.0',
      modelHash: 'sha256:abc123',
      metadata: { deployment_date: '2024-01-01T00:00:00Z' },
    });
    registry.registerModel({
      modelName: 'mistral',
      version: 'v1.1.0',
      modelHash: 'sha256:def456',
      metadata: { deploymentDate: '2024-02-01T00:00:00Z' },
    });
    const byName = await collectByName(reader);
    const version = byName.get('llm_model_version');
    expect(version?.dataPoints).toHaveLength(1);
    expect(version?.dataPoints[0]).toMatchObject({
      value: 1,
      attributes: { 'llm.model.name': 'mistral', 'llm.model.version': 'v1.1.0', 'llm.model.hash': 'sha256:def456' },
    });
    const deployed = pointsWith<number>(byName.get('llm_model_deployed_at_seconds'), { 'llm.model.name': 'mistral' });
    expect(deployed.map((p) => p.value)).toEqual([Date.parse('2024-02-01T00:00:00Z') / 1000]);
  });

  it.each([
    [{ modelName: '', version: 'v1', modelHash: 'abc123' }, /modelName/],
    [{ modelName: 'm', version: 'v 1', modelHash: 'abc123' }, /version/],
    [{ modelName: 'm', version: 'v1', modelHash: 'not-a-hash!' }, /modelHash/],
    [{ modelName: 'm', version: 'v1', modelHash: 'abc123', metadata: { deploymentDate: 'soon' } }, /deploymentDate/],
  ])('rejects invalid registrations with an error naming the field (%#)', (registration, message) => {
    expect(() => getModelRegistry().registerModel(registration)).toThrow(ModelRegistryError);
    expect(() => getModelRegistry().registerModel(registration)).toThrow(message);
  });
});
