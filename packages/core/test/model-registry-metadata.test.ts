import { describe, expect, it } from 'vitest';
import { ModelRegistry, ModelRegistryError } from '../src/index.js';

const base = { modelName: 'mistral', version: 'v1', modelHash: 'abc123' };

function rejects(metadata: Record<string, unknown>, message: RegExp): void {
  const registry = new ModelRegistry();
  expect(() => registry.registerModel({ ...base, metadata })).toThrow(ModelRegistryError);
  expect(() => registry.registerModel({ ...base, metadata })).toThrow(message);
  expect(registry.listModels()).toEqual([]);
}

describe('model registry metadata', () => {
  it('refuses metadata JSON can not hold, naming the key, and stays usable', () => {
    const circular: Record<string, unknown> = { name: 'x' };
    circular.self = circular;
    rejects({ config: circular }, /metadata\.config\.self .*circular/);
    rejects({ size: 10n }, /metadata\.size .*BigInt/);
    rejects({ list: [1, () => 2] }, /metadata\.list\[1\] .*function/);
    rejects({ ratio: Number.NaN }, /metadata\.ratio .*finite/);
    rejects({ when: new Date('nope') }, /metadata\.when .*invalid Date/);
    rejects({ seen: new Set([1]) }, /metadata\.seen .*plain object/);

    // The registry keeps working: a later valid registration is stored and serialisable.
    const registry = new ModelRegistry();
    expect(() => registry.registerModel({ ...base, metadata: { config: circular } })).toThrow(ModelRegistryError);
    registry.registerModel({ ...base, metadata: { owner: 'search', limits: { rpm: 60 }, tags: ['a', null] } });
    expect(JSON.parse(JSON.stringify(registry.listModels()))).toMatchObject([
      { modelName: 'mistral', metadata: { owner: 'search', limits: { rpm: 60 }, tags: ['a', null] } },
    ]);
  });

  it('bounds the depth and the size of metadata', () => {
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 20; i++) deep = { next: deep };
    rejects({ deep }, /metadata\.deep(\.next)+ .*deeper than/);
    rejects({ blob: 'x'.repeat(100_000) }, /metadata\.blob .*larger than/);
    rejects({ many: Array.from({ length: 100_000 }, () => 1) }, /metadata\.many.* larger than/);
  });

  it('keeps a copy: later changes to the caller object never reach the registry', () => {
    const registry = new ModelRegistry();
    const limits: Record<string, unknown> = { rpm: 60 };
    registry.registerModel({ ...base, metadata: { limits, deployedBy: new Date('2026-01-02T00:00:00Z') } });
    limits.self = limits; // would make the stored metadata circular if it were shared
    limits.rpm = 1;
    const stored = registry.getModelInfo('mistral')?.metadata;
    expect(JSON.parse(JSON.stringify(stored))).toEqual({
      limits: { rpm: 60 },
      deployedBy: '2026-01-02T00:00:00.000Z',
    });
    expect(Object.isFrozen(stored?.limits)).toBe(true);
  });

  it('keeps a key named __proto__ as data (JSON.parse makes such keys), never as a prototype', () => {
    const registry = new ModelRegistry();
    registry.registerModel({ ...base, metadata: JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') });
    const stored = registry.getModelInfo('mistral')?.metadata as Record<string, unknown>;
    expect(Object.getPrototypeOf(stored)).toBe(Object.prototype);
    expect(stored.polluted).toBeUndefined();
    expect(JSON.parse(JSON.stringify(stored))).toEqual(JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}'));
  });

  it('reads metadata getters once, and a getter that throws is refused naming the key', () => {
    const metadata = Object.defineProperty({}, 'secret', {
      enumerable: true,
      get() {
        throw new Error('no access');
      },
    }) as Record<string, unknown>;
    rejects(metadata, /metadata\.secret .*no access/);
  });
});
