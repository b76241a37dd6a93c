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
  drifts?: boolean;
}>;

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
