// Builds the package in the current directory: ESM into dist/esm and CommonJS into dist/cjs, both
// with type declarations. The dist/cjs/package.json marker makes Node load the .js files there as CJS.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
const name = process.cwd().split('/').slice(-2).join('/');

rmSync('dist', { recursive: true, force: true });
const run = (args) => execFileSync(process.execPath, [tsc, ...args], { stdio: 'inherit' });
run(['-p', 'tsconfig.build.json', '--outDir', 'dist/esm']);
run(['-p', 'tsconfig.build.json', '--outDir', 'dist/cjs', '--module', 'commonjs', '--moduleResolution', 'node10']);
mkdirSync('dist/cjs', { recursive: true });
writeFileSync('dist/cjs/package.json', '{ "type": "commonjs" }\n');
console.log(`built ${name}: dist/esm, dist/cjs`);
