// Writes grafana/dashboards/ml-service-metrics.json from the TypeScript definition.
//   node dist/build-dashboard.js           regenerate the file
//   node dist/build-dashboard.js --check   exit 1 if the committed file differs (CI)
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderDashboardJson } from './dashboard.js';

/** Absolute path of the generated dashboard JSON. */
export const dashboardFile = resolve(dirname(fileURLToPath(import.meta.url)), '../dashboards/ml-service-metrics.json');

function main(argv: readonly string[]): number {
  const json = renderDashboardJson();
  if (argv.includes('--check')) {
    let committed = '';
    try {
      committed = readFileSync(dashboardFile, 'utf8');
    } catch {
      // missing file: reported as a difference below
    }
    if (committed !== json) {
      console.error(`${dashboardFile} is out of date: run \`pnpm dashboards:build\` and commit the result.`);
      return 1;
    }
    console.log(`${dashboardFile} is up to date.`);
    return 0;
  }
  mkdirSync(dirname(dashboardFile), { recursive: true });
  writeFileSync(dashboardFile, json);
  console.log(`wrote ${dashboardFile}`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
