import type { Server } from 'node:http';

export declare const SERVICE: { job: string; instance: string; service_name: string };
export declare const MODELS: ReadonlyArray<{
  provider: string;
  model: string;
  response: string;
  server: string;
  rps: number;
  latency: number;
  ttft: number;
  errors: number;
  input: number;
  output: number;
  cached?: number;
  cacheCreation?: number;
  reasoning?: number;
  prices: Readonly<Record<string, number>> | null;
  drifts?: boolean;
}>;
export declare const RATE_LIMITS: ReadonlyArray<{
  provider: string;
  server: string;
  kind: string;
  limit: number;
  headroom: number;
}>;
export declare function perCall(
  m: (typeof MODELS)[number],
  inputMedian?: number,
): { detail: Record<string, number>; cost: Record<string, number> };

export declare class Simulation {
  constructor(startMs: number, spanMs?: number);
  advanceTo(tMs: number): void;
  samples(): Array<[string, Record<string, string>, number]>;
}

export declare function exposition(sim: Simulation): string;
export declare function serve(port?: number, host?: string): Promise<Server>;
export declare function writeOpenMetrics(
  file: string,
  hours?: number,
  stepSeconds?: number,
): Promise<{ start: number; end: number }>;
