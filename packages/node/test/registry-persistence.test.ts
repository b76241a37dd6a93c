import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelRegistry, ModelRegistryError } from '@llm-otel/core';
import { describe, expect, it } from 'vitest';
import { persistRegistry } from '../src/index.js';

const tempFile = () => join(mkdtempSync(join(tmpdir(), 'llm-otel-registry-')), 'models.json');

describe('registry persistence', () => {
  it('writes every change and reloads it at start', () => {
    const file = tempFile();
    const first = new ModelRegistry();
    const firstFile = persistRegistry(file, { registry: first });
    first.registerModel({ modelName: 'mistral', version: 'v1.0.0', modelHash: 'abc123', metadata: { team: 'search' } });
    first.registerModel({ modelName: 'llama3', version: '8b-q4', modelHash: 'sha256:deadbeef' });
    first.registerModel({ modelName: 'mistral', version: 'v1.1.0', modelHash: 'abc124' });
    first.unregisterModel('llama3');
    firstFile.stop(); // one writer per file: the second registry takes over

    const second = new ModelRegistry();
    persistRegistry(file, { registry: second }).stop();
    expect(second.listModels().map((m) => [m.modelName, m.version, m.metadata])).toEqual([['mistral', 'v1.1.0', {}]]);
    expect(second.getModelInfo('mistral')?.deployedAt.toISOString()).toBe(
      first.getModelInfo('mistral')?.deployedAt.toISOString(),
    );
  });

  it('refuses a file that is not a registry, naming the file', () => {
    const file = tempFile();
    writeFileSync(file, '{"models": [');
    expect(() => persistRegistry(file, { registry: new ModelRegistry() })).toThrow(
      `model registry file ${file} is not valid JSON`,
    );
    writeFileSync(file, '{"hello": "world"}');
    expect(() => persistRegistry(file, { registry: new ModelRegistry() })).toThrow(/is not an llm-otel model registry/);
    writeFileSync(
      file,
      JSON.stringify({
        format: 'llm-otel.model-registry',
        version: 1,
        models: [
          {
            modelName: 'm',
            version: 'v1',
            modelHash: 'zz',
            metadata: {},
            deployedAt: '2024-01-01',
            registeredAt: '2024-01-01',
          },
        ],
      }),
    );
    expect(() => persistRegistry(file, { registry: new ModelRegistry() })).toThrow(ModelRegistryError);
  });

  it('survives a crash in the middle of writing: the file is always the old or the new version', async () => {
    const file = tempFile();
    const writer = fileURLToPath(new URL('./fixtures/registry-writer.mjs', import.meta.url));
    for (let round = 0; round < 6; round++) {
      const child = spawn(process.execPath, [writer, file], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      // The writer is registering in a loop once it printed; a writer that failed says why.
      const started = await Promise.race([once(child.stdout, 'data').then(() => true), once(child, 'exit')]);
      expect(started === true ? '' : stderr).toBe('');
      await new Promise((r) => setTimeout(r, 20 + round * 17));
      child.kill('SIGKILL');
      await once(child, 'exit');

      const content = JSON.parse(readFileSync(file, 'utf8')) as {
        models: Array<{ modelName: string; version: string }>;
      };
      expect(content.models.map((m) => m.modelName).sort()).toEqual(['a', 'b']);
      const registry = new ModelRegistry();
      const persisted = persistRegistry(file, { registry }); // loads cleanly, sweeps the writer's temporary file
      expect(registry.getModelVersion('a')).toMatch(/^v\d+$/);
      persisted.stop(); // frees the file for the next round's writer
    }
    expect(readdirSync(join(file, '..')).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(existsSync(file)).toBe(true);
  });
});
