import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { clientsReachable } from '../src/esm-hook.js';

let root: string | undefined;
afterEach(() => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

describe('clientsReachable (whether --import installs the ES module hook)', () => {
  it('is false for an app that cannot import openai or ollama, so no hook thread is started', () => {
    root = mkdtempSync(join(tmpdir(), 'llm-otel-hook-'));
    const app = join(root, 'app', 'src');
    mkdirSync(app, { recursive: true });
    expect(clientsReachable([app])).toBe(false);
  });

  it.each(['openai', 'ollama'])('is true when %s is installed in a node_modules above the app', (name) => {
    root = mkdtempSync(join(tmpdir(), 'llm-otel-hook-'));
    const app = join(root, 'app', 'src');
    mkdirSync(app, { recursive: true });
    mkdirSync(join(root, 'node_modules', name), { recursive: true });
    expect(clientsReachable([app])).toBe(true);
  });

  it('is true when a dependency of the app brings openai (pnpm keeps it under node_modules/.pnpm)', () => {
    root = mkdtempSync(join(tmpdir(), 'llm-otel-hook-'));
    const app = join(root, 'examples', 'demo');
    mkdirSync(app, { recursive: true });
    mkdirSync(join(root, 'node_modules', '.pnpm', 'node_modules', 'openai'), { recursive: true });
    expect(clientsReachable([app])).toBe(true);
  });
});
