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

  it('exports llm_model_version (info-style) and llm_model_deployed_at_seconds; a re-deploy turns the old version to 0', async () => {
    const { reader } = installProvider();
    const registry = getModelRegistry();
    registry.registerModel({
      modelName: 'phi-redeploy',
      version: 'v1.0.0',
      modelHash: 'sha256:abc123',
      metadata: { deployment_date: '2024-01-01T00:00:00Z' },
    });
    const first = (await collectByName(reader)).get('llm_model_version');
    // (Names other tests used linger at 0; this test looks at its own model only.)
    expect(
      pointsWith<number>(first, { 'llm.model.name': 'phi-redeploy' }).map((p) => [
        p.attributes['llm.model.version'],
        p.value,
      ]),
    ).toEqual([['v1.0.0', 1]]);

    registry.registerModel({
      modelName: 'phi-redeploy',
      version: 'v1.1.0',
      modelHash: 'sha256:def456',
      metadata: { deploymentDate: '2024-02-01T00:00:00Z' },
    });
    const byName = await collectByName(reader);
    const version = byName.get('llm_model_version');
    const current = pointsWith<number>(version, { 'llm.model.name': 'phi-redeploy' }).filter((p) => p.value === 1);
    expect(current).toHaveLength(1);
    expect(current?.[0]?.attributes).toEqual({
      'llm.model.name': 'phi-redeploy',
      'llm.model.version': 'v1.1.0',
      'llm.model.hash': 'sha256:def456',
    });
    expect(
      pointsWith<number>(version, { 'llm.model.name': 'phi-redeploy', 'llm.model.version': 'v1.0.0' }).map(
        (p) => p.value,
      ),
    ).toEqual([0]);
    const deployed = pointsWith<number>(byName.get('llm_model_deployed_at_seconds'), {
      'llm.model.name': 'phi-redeploy',
      'llm.model.version': 'v1.1.0',
    });
    expect(deployed.map((p) => p.value)).toEqual([Date.parse('2024-02-01T00:00:00Z') / 1000]);

    // Deploying the old version again (a rollback) makes it the one at 1.
    registry.registerModel({ modelName: 'phi-redeploy', version: 'v1.0.0', modelHash: 'sha256:abc123' });
    const rolledBack = (await collectByName(reader)).get('llm_model_version');
    expect(
      pointsWith<number>(rolledBack, { 'llm.model.name': 'phi-redeploy' })
        .filter((p) => p.value === 1)
        .map((p) => p.attributes['llm.model.version']),
    ).toEqual(['v1.0.0']);

    // Unregistering leaves no version at 1.
    registry.unregisterModel('phi-redeploy');
    const removed = (await collectByName(reader)).get('llm_model_version');
    expect(pointsWith<number>(removed, { 'llm.model.name': 'phi-redeploy' }).filter((p) => p.value === 1)).toEqual([]);
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
