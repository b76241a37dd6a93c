import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelRegistry, ModelRegistryError } from '@llm-otel/core';
import { metrics } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { persistRegistry, type RegistryPersistence } from '../src/index.js';
import { collectByName, installProvider, pointsWith } from './collect-metrics.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'llm-otel-registry-'));
const persisted: RegistryPersistence[] = [];
const persist = (registry: ModelRegistry, file: string) => {
  const handle = persistRegistry(file, { registry });
  persisted.push(handle);
  return handle;
};

afterEach(() => {
  for (const p of persisted.splice(0)) p.stop();
  metrics.disable();
});

const entry = (modelName: string, version: string, modelHash = 'abcdef') => ({
  modelName,
  version,
  modelHash,
  metadata: {},
  deployedAt: '2026-01-01T00:00:00.000Z',
  registeredAt: '2026-01-01T00:00:00.000Z',
});

describe('registry persistence: atomic changes', () => {
  it('a failed save changes nothing: the model is neither registered nor exported', async () => {
    const { reader } = installProvider();
    const dir = tempDir();
    const registry = new ModelRegistry();
    persist(registry, join(dir, 'models.json'));
    registry.registerModel({ modelName: 'saved-model', version: 'v1', modelHash: 'abcdef' });
    rmSync(dir, { recursive: true }); // the next save can not write its file

    expect(() => registry.registerModel({ modelName: 'saved-model', version: 'v2', modelHash: 'abcdef' })).toThrow(
      /models\.json could not be written, so the change was not made: .*ENOENT/,
    );
    expect(() => registry.registerModel({ modelName: 'unsaved-model', version: 'v1', modelHash: 'abcdef' })).toThrow(
      /ENOENT/,
    );
    expect(() => registry.unregisterModel('saved-model')).toThrow(/ENOENT/);
    expect(registry.listModels().map((m) => [m.modelName, m.version])).toEqual([['saved-model', 'v1']]);
    const version = (await collectByName(reader)).get('llm_model_version');
    expect(pointsWith<number>(version, { 'llm.model.name': 'unsaved-model' })).toEqual([]);
    expect(
      pointsWith<number>(version, { 'llm.model.name': 'saved-model' }).map((p) => [
        p.attributes['llm.model.version'],
        p.value,
      ]),
    ).toEqual([['v1', 1]]);
  });

  it('checks the whole file before using any entry of it', () => {
    const file = join(tempDir(), 'models.json');
    const text = JSON.stringify({
      format: 'llm-otel.model-registry',
      version: 1,
      models: [entry('a', 'v9'), entry('b', 'v1', 'not-hex!')],
    });
    writeFileSync(file, text);
    const registry = new ModelRegistry();
    registry.registerModel({ modelName: 'a', version: 'v1', modelHash: 'abcdef' });
    expect(() => persist(registry, file)).toThrow(ModelRegistryError);
    expect(() => persist(registry, file)).toThrow(/entry 1 \("b"\): modelHash/);
    expect(registry.listModels().map((m) => [m.modelName, m.version])).toEqual([['a', 'v1']]);
    expect(readFileSync(file, 'utf8')).toBe(text);
    // The refused file is not being persisted: registering does not write it, and the lock is free.
    registry.registerModel({ modelName: 'c', version: 'v1', modelHash: 'abcdef' });
    expect(readFileSync(file, 'utf8')).toBe(text);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it('refuses a file that lists a model twice or has a non-string field, naming the entry', () => {
    const file = join(tempDir(), 'models.json');
    writeFileSync(
      file,
      JSON.stringify({ format: 'llm-otel.model-registry', version: 1, models: [entry('a', 'v1'), entry('a', 'v2')] }),
    );
    expect(() => persist(new ModelRegistry(), file)).toThrow(/entry 1 \("a"\): the model is listed twice/);
    writeFileSync(
      file,
      JSON.stringify({
        format: 'llm-otel.model-registry',
        version: 1,
        models: [{ ...entry('a', 'v1'), version: 3 }],
      }),
    );
    expect(() => persist(new ModelRegistry(), file)).toThrow(/entry 0 \("a"\): version is not a string/);
  });

  it('never deletes the temporary file of a live process, and removes those of dead ones', async () => {
    const dir = tempDir();
    const file = join(dir, 'models.json');
    const live = spawn(process.execPath, ['-e', 'process.stdin.resume()'], { stdio: ['pipe', 'ignore', 'ignore'] });
    const dead = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    await once(dead, 'exit');
    try {
      const liveTmp = join(dir, `.models.json.${live.pid}.1.tmp`);
      const deadTmp = join(dir, `.models.json.${dead.pid}.1.tmp`);
      writeFileSync(liveTmp, 'in the middle of a write');
      writeFileSync(deadTmp, 'left by a crash');
      persist(new ModelRegistry(), file);
      expect(existsSync(liveTmp)).toBe(true);
      expect(existsSync(deadTmp)).toBe(false);
    } finally {
      live.kill();
    }
  });

  it('one process persists a file at a time; stop() releases it', () => {
    const file = join(tempDir(), 'models.json');
    const first = persist(new ModelRegistry(), file);
    expect(() => persist(new ModelRegistry(), file)).toThrow(/already persisted by this process/);
    first.stop();
    expect(existsSync(`${file}.lock`)).toBe(false);
    persist(new ModelRegistry(), file);
    expect(readFileSync(`${file}.lock`, 'utf8')).toBe(String(process.pid));
  });
});

describe('registry persistence: two processes', () => {
  const holder = fileURLToPath(new URL('./fixtures/registry-holder.mjs', import.meta.url));
  const start = async (file: string, model: string) => {
    const child = spawn(process.execPath, [holder, file, model], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [line] = (await once(child.stdout, 'data')) as [Buffer];
    return { child, line: line.toString().trim() };
  };

  it('a second process can not write a file another live process writes; it can once that one is gone', async () => {
    const file = join(tempDir(), 'models.json');
    const first = await start(file, 'first');
    try {
      expect(first.line).toBe('ready first');
      const second = await start(file, 'second');
      expect(second.line).toBe(
        `refused model registry file ${file} is in use by process ${first.child.pid} (lock ${file}.lock); one process writes a registry file`,
      );
      expect((await once(second.child, 'exit'))[0]).toBe(3);
      expect(JSON.parse(readFileSync(file, 'utf8')).models.map((m: { modelName: string }) => m.modelName)).toEqual([
        'first',
      ]);
    } finally {
      first.child.kill('SIGKILL');
      await once(first.child, 'exit');
    }
    // The first writer crashed (its lock stayed): the next one takes over and keeps its models.
    const third = await start(file, 'third');
    third.child.kill('SIGKILL');
    await once(third.child, 'exit');
    expect(third.line).toBe('ready first,third');
  });
});
