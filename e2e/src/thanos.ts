import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Service, start, waitForHttp } from './processes.js';

/** Ports of a Thanos Receive + Query pair. */
export interface ThanosPorts {
  receiveHttp: number;
  receiveGrpc: number;
  remoteWrite: number;
  /** Receive's Cap'n Proto replication listener (unused with one replica, but always opened). */
  replication: number;
  queryHttp: number;
  queryGrpc: number;
}

/** A running Thanos: Receive (the remote-write endpoint and ingester) and Query (PromQL over it). */
export interface Thanos {
  receive: Service;
  query: Service;
  /** Prometheus remote-write URL of Receive, for a gateway's PRW_ENDPOINT. */
  remoteWriteUrl: string;
  /** Base URL of Query's Prometheus-compatible HTTP API (`/api/v1/query`). */
  queryUrl: string;
  /** Base URL of Receive's HTTP server (`/metrics`: its own TSDB and ingest metrics). */
  receiveUrl: string;
}

/** The Thanos binary built by `bash stores/build.sh thanos`. */
export function thanosBinary(repoRoot: string): string {
  const bin = join(repoRoot, 'stores', '_build', 'bin', 'thanos');
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run \`bash stores/build.sh thanos\` first`);
  return bin;
}

/**
 * Starts Thanos Receive (local TSDB under `<workDir>/thanos-receive`) on loopback ports; resolves
 * when it is ready. Separate from Query so a test can stop and restart the ingester alone.
 */
export async function startThanosReceive(repoRoot: string, ports: ThanosPorts, workDir: string): Promise<Service> {
  const tsdb = join(workDir, 'thanos-receive');
  mkdirSync(tsdb, { recursive: true });
  const receive = start(
    'thanos-receive',
    thanosBinary(repoRoot),
    [
      'receive',
      `--tsdb.path=${tsdb}`,
      `--http-address=127.0.0.1:${ports.receiveHttp}`,
      `--grpc-address=127.0.0.1:${ports.receiveGrpc}`,
      `--remote-write.address=127.0.0.1:${ports.remoteWrite}`,
      // Its default, 0.0.0.0:19391, would collide with any other Receive on the host.
      `--receive.capnproto-address=127.0.0.1:${ports.replication}`,
      // Every block Receive ships carries external labels; one replica here.
      '--label=receive_replica="0"',
      // Gateways send through several parallel remote-write workers, and an agent's queue
      // drains the samples of an outage after newer ones may have arrived from elsewhere:
      // accept samples up to 10 minutes out of order instead of rejecting them.
      '--tsdb.out-of-order.time-window=10m',
      '--log.level=warn',
    ],
    { logDir: workDir },
  );
  await waitForHttp(`http://127.0.0.1:${ports.receiveHttp}/-/ready`, 60_000, receive);
  return receive;
}

/** Starts Receive, then Query reading from it over gRPC (the StoreAPI); resolves when both are ready. */
export async function startThanos(repoRoot: string, ports: ThanosPorts, workDir: string): Promise<Thanos> {
  const receive = await startThanosReceive(repoRoot, ports, workDir);
  const query = start(
    'thanos-query',
    thanosBinary(repoRoot),
    [
      'query',
      `--http-address=127.0.0.1:${ports.queryHttp}`,
      `--grpc-address=127.0.0.1:${ports.queryGrpc}`,
      `--endpoint=127.0.0.1:${ports.receiveGrpc}`,
      // Deduplicate across Receive replicas (one here, but the query shape stays the production one).
      '--query.replica-label=receive_replica',
      '--log.level=warn',
    ],
    { logDir: workDir },
  );
  const queryUrl = `http://127.0.0.1:${ports.queryHttp}`;
  await waitForHttp(`${queryUrl}/-/ready`, 60_000, query);
  return {
    receive,
    query,
    remoteWriteUrl: `http://127.0.0.1:${ports.remoteWrite}/api/v1/receive`,
    queryUrl,
    receiveUrl: `http://127.0.0.1:${ports.receiveHttp}`,
  };
}
