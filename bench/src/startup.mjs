// Start-up cost: CPU time and peak RSS of a do-nothing app (startup-app.mjs) started bare, with
// `--import @llm-otel/node/register` (Prometheus only), and with instrumentation-openai + SDK +
// Prometheus (startup-contrib.mjs). Each start is its own process; variants alternate within a
// round so that a noisy moment hits all of them. Used by run.mjs; runnable alone:
//   node src/startup.mjs --runs 15
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The same app in a folder where no LLM client can be imported (outside the repository, whose
 * node_modules hold openai), so `--import` installs no ES module hook: what an app that does not
 * use openai, ollama or @anthropic-ai/sdk pays. The preload is named by its path from there.
 */
const lone = mkdtempSync(join(tmpdir(), 'llm-otel-startup-'));
copyFileSync(join(here, 'startup-app.mjs'), join(lone, 'startup-app.mjs'));
process.on('exit', () => rmSync(lone, { recursive: true, force: true }));

/** The variants: their label and the node arguments before the app. */
export const STARTUP_VARIANTS = [
  { name: 'bare node', args: [] },
  {
    name: 'llm-otel (--import @llm-otel/node/register, Prometheus only)',
    args: ['--import', '@llm-otel/node/register'],
  },
  {
    name: 'llm-otel (--import, app without an LLM client installed: no loader hook)',
    args: ['--import', fileURLToPath(import.meta.resolve('@llm-otel/node/register'))],
    cwd: lone,
  },
  {
    name: 'llm-otel (--require @llm-otel/node/register, Prometheus only)',
    args: ['--require', '@llm-otel/node/register'],
  },
  {
    name: 'otel-openai (instrumentation-openai + SDK MeterProvider + Prometheus)',
    args: ['--import', join(here, 'startup-contrib.mjs')],
  },
];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function start(variant) {
  const cwd = variant.cwd ?? join(here, '..');
  const result = spawnSync(
    process.execPath,
    [...variant.args, join(cwd, variant.cwd ? '' : 'src', 'startup-app.mjs')],
    {
      cwd,
      encoding: 'utf8',
      env: {
        ...process.env,
        OTEL_SDK_DISABLED: undefined,
        OTEL_METRICS_EXPORTER: 'prometheus',
        OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
        OTEL_EXPORTER_PROMETHEUS_PORT: '0',
      },
    },
  );
  if (result.status !== 0) throw new Error(`${variant.name} exited with ${result.status}: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop());
}

/** Medians over `runs` starts per variant: CPU seconds and peak RSS in MiB, and the overhead over bare node. */
export function measureStartup(runs, log = () => {}) {
  const samples = STARTUP_VARIANTS.map(() => ({ cpu: [], rss: [] }));
  for (let r = 0; r < runs; r++) {
    log(`start-up round ${r + 1}/${runs}\n`);
    // Rotate the order each round as well.
    for (let k = 0; k < STARTUP_VARIANTS.length; k++) {
      const i = (k + r) % STARTUP_VARIANTS.length;
      const { cpuUs, maxRssKiB } = start(STARTUP_VARIANTS[i]);
      samples[i].cpu.push(cpuUs / 1e6);
      samples[i].rss.push(maxRssKiB / 1024);
    }
  }
  const rows = STARTUP_VARIANTS.map((v, i) => ({
    variant: v.name,
    cpuSeconds: median(samples[i].cpu),
    rssMiB: median(samples[i].rss),
  }));
  const [bare] = rows;
  for (const row of rows) {
    row.extraCpuSeconds = row.cpuSeconds - bare.cpuSeconds;
    row.extraRssMiB = row.rssMiB - bare.rssMiB;
  }
  return { runs, rows };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' } } });
  const { rows } = measureStartup(Number(values.runs), (s) => process.stderr.write(s));
  for (const r of rows)
    console.log(
      `${r.variant}: ${r.cpuSeconds.toFixed(3)} s CPU (+${r.extraCpuSeconds.toFixed(3)}), ${r.rssMiB.toFixed(1)} MiB peak RSS (+${r.extraRssMiB.toFixed(1)})`,
    );
}
