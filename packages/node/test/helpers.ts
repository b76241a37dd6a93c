import { createServer } from 'node:net';

/** A free TCP port on loopback (bound and released; good enough for a test on one machine). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** One sample line of the Prometheus text format. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The Prometheus text exposition parsed into TYPE lines and samples. */
export interface Exposition {
  types: Map<string, string>;
  samples: Sample[];
}

/** Parses the Prometheus text format (enough of it for our own endpoint's output). */
export function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      if (name && type) types.set(name, type);
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) throw new Error(`unparsable line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1] as string] = (l[2] as string).replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    const raw = match[3] as string;
    samples.push({ name: match[1] as string, labels, value: raw === '+Inf' ? Infinity : Number(raw) });
  }
  return { types, samples };
}

/** Samples of `name` whose labels include `match`. */
export function select(exposition: Exposition, name: string, match: Record<string, string> = {}): Sample[] {
  return exposition.samples.filter(
    (s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v),
  );
}

/** Scrapes `url`, retrying connection failures for up to `waitMs` (a child process may still be starting). */
export async function scrape(url: string, waitMs = 5000): Promise<Exposition> {
  const deadline = Date.now() + waitMs;
  let response: Response;
  for (;;) {
    try {
      response = await fetch(url);
      break;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  if (!response.ok) throw new Error(`scrape ${url}: HTTP ${response.status}`);
  return parseExposition(await response.text());
}
