import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { getModelEndpoints, ModelRegistry, ModelRegistryError } from '../src/index.js';
import { MAX_MODEL_ENDPOINTS, ModelEndpoints } from '../src/internal.js';

describe('model endpoints (platform-free list the health probe of @llm-otel/node reads)', () => {
  it('lists endpoints once each, in order, and tells listeners about new ones', () => {
    const endpoints = new ModelEndpoints();
    const heard: string[] = [];
    const off = endpoints.onAdd((e) => heard.push(e.baseUrl));
    expect(endpoints.add({ provider: 'openai', baseUrl: 'https://api.openai.com/v1', api: 'openai' })).toBe(true);
    expect(endpoints.add({ provider: 'openai', baseUrl: 'https://api.openai.com/v1', api: 'openai' })).toBe(false);
    expect(endpoints.add({ provider: 'ollama', baseUrl: 'http://127.0.0.1:11434', api: 'ollama' })).toBe(true);
    off();
    endpoints.add({ provider: 'vllm', baseUrl: 'http://127.0.0.1:8000/v1', api: 'openai' });
    expect(endpoints.list().map((e) => e.provider)).toEqual(['openai', 'ollama', 'vllm']);
    expect(heard).toEqual(['https://api.openai.com/v1', 'http://127.0.0.1:11434']);
    expect(getModelEndpoints()).toBe(getModelEndpoints());
  });

  it('accepts Anthropic endpoints (probed on their own API)', () => {
    const endpoints = new ModelEndpoints();
    expect(endpoints.add({ provider: 'anthropic', baseUrl: 'https://api.anthropic.com', api: 'anthropic' })).toBe(true);
    expect(endpoints.list()).toEqual([
      { provider: 'anthropic', baseUrl: 'https://api.anthropic.com', api: 'anthropic' },
    ]);
  });

  it('ignores invalid endpoints and any past the bound, without throwing', () => {
    const endpoints = new ModelEndpoints();
    endpoints.onAdd(() => {
      throw new Error('a listener bug');
    });
    const invalid = [
      { provider: 'x', baseUrl: 'not a url', api: 'openai' },
      { provider: 'x', baseUrl: 'file:///etc/passwd', api: 'openai' },
      { provider: '', baseUrl: 'http://a', api: 'openai' },
      { provider: 'x', baseUrl: 'http://a', api: 'grpc' },
      null,
    ];
    for (const e of invalid) expect(endpoints.add(e as never)).toBe(false);
    for (let i = 0; i < MAX_MODEL_ENDPOINTS + 5; i++)
      endpoints.add({ provider: 'p', baseUrl: `http://127.0.0.1:${1000 + i}`, api: 'openai' });
    expect(endpoints.list()).toHaveLength(MAX_MODEL_ENDPOINTS);
  });

  it('registry.persistTo says where file persistence went', () => {
    expect(() => new ModelRegistry().persistTo('/tmp/models.json')).toThrow(ModelRegistryError);
    expect(() => new ModelRegistry().persistTo('/tmp/models.json')).toThrow(/persistRegistry.*@llm-otel\/node/);
  });
});

describe('@llm-otel/core stays platform-free', () => {
  const src = fileURLToPath(new URL('../src', import.meta.url));
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
      d.isDirectory() ? files(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [],
    );

  it('imports no node:* module and fetches nothing', () => {
    const offending = files(src).filter((file) => {
      const text = readFileSync(file, 'utf8');
      return /from ['"]node:|require\(['"]node:|\bfetch\(/.test(text);
    });
    expect(offending.map((f) => f.slice(src.length + 1))).toEqual([]);
  });
});
