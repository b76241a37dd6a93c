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
  /** Thanos Rule's HTTP (`/api/v1/rules`, `/api/v1/alerts`) and gRPC (StoreAPI) ports, when a ruler runs. */
  ruleHttp?: number;
  ruleGrpc?: number;
}

/** How Thanos Rule evaluates prometheus/rules/*.yml (see {@link startThanos}). */
export interface ThanosRuleOptions {
  /** Default evaluation interval of the rule groups (`--eval-interval`; Thanos' default is 1m). */
  evalInterval: string;
  /**
   * Rules read the data as of this long ago (`--rule-query-offset`): remote-written samples reach
   * the store a few seconds after they were taken (app export, agent and gateway batches), and a
   * rule evaluated before they arrive would record a value that later differs from the raw data.
   */
  queryOffset: string;
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
  /** Thanos Rule, when started with rules: evaluates prometheus/rules/*.yml against Query. */
  rule?: Service;
  /** Base URL of Thanos Rule's HTTP API (`/api/v1/rules`, `/api/v1/alerts`). */
  ruleUrl?: string;
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

/** Query's `--endpoint.sd-config`: loopback StoreAPI endpoints, each `strict: true`. */
function strictEndpoints(grpcPorts: number[]): string {
  return ['endpoints:', ...grpcPorts.flatMap((p) => [`  - address: 127.0.0.1:${p}`, '    strict: true'])].join('\n');
}

/**
 * Thanos Rule evaluating every file of prometheus/rules against Query (`--query`), the same rule
 * files Prometheus loads. Stateful ruler: results and alert state go to its own TSDB under
 * `<workDir>/thanos-rule`, which Query reads over the StoreAPI (`--endpoint` of its gRPC port),
 * so recorded series are queried like any other; the label `rule_replica` is Query's replica label.
 */
export async function startThanosRule(
  repoRoot: string,
  ports: { http: number; grpc: number; queryUrl: string },
  workDir: string,
  options: ThanosRuleOptions,
): Promise<Service> {
  const dataDir = join(workDir, 'thanos-rule');
  mkdirSync(dataDir, { recursive: true });
  const rule = start(
    'thanos-rule',
    thanosBinary(repoRoot),
    [
      'rule',
      `--data-dir=${dataDir}`,
      `--http-address=127.0.0.1:${ports.http}`,
      `--grpc-address=127.0.0.1:${ports.grpc}`,
      `--query=${ports.queryUrl}`,
      `--rule-file=${join(repoRoot, 'prometheus', 'rules', '*.yml')}`,
      `--eval-interval=${options.evalInterval}`,
      `--rule-query-offset=${options.queryOffset}`,
      // A ruler needs external labels (they tell its blocks and alerts apart from other replicas').
      '--label=rule_replica="0"',
      '--log.level=warn',
    ],
    { logDir: workDir },
  );
  await waitForHttp(`http://127.0.0.1:${ports.http}/-/ready`, 60_000, rule);
  return rule;
}

/**
 * Starts Receive, then Query reading from it over gRPC (the StoreAPI); resolves when both are
 * ready. With `rules` (and the rule ports), Thanos Rule too, and Query reads its TSDB as well.
 */
export async function startThanos(
  repoRoot: string,
  ports: ThanosPorts,
  workDir: string,
  rules?: ThanosRuleOptions,
): Promise<Thanos> {
  const rulePorts =
    rules && ports.ruleHttp !== undefined && ports.ruleGrpc !== undefined
      ? { http: ports.ruleHttp, grpc: ports.ruleGrpc }
      : undefined;
  const receive = await startThanosReceive(repoRoot, ports, workDir);
  const query = start(
    'thanos-query',
    thanosBinary(repoRoot),
    [
      'query',
      `--http-address=127.0.0.1:${ports.queryHttp}`,
      `--grpc-address=127.0.0.1:${ports.queryGrpc}`,
      // Strict endpoints stay in Query's store set while they are down, so a query then fails
      // (or, with partial responses on, warns) instead of silently answering without them. The
      // ruler's queries abort on such errors: a Receive outage pauses the rules instead of
      // recording empty results, which would write staleness markers into the recorded series
      // and reset every alert's `for` timer (seen with plain --endpoint). The ruler's TSDB holds
      // the recorded series and ALERTS.
      `--endpoint.sd-config=${strictEndpoints([ports.receiveGrpc, ...(rulePorts ? [rulePorts.grpc] : [])])}`,
      ...(rulePorts ? ['--query.replica-label=rule_replica'] : []),
      // Deduplicate across Receive replicas (one here, but the query shape stays the production one).
      '--query.replica-label=receive_replica',
      '--log.level=warn',
    ],
    { logDir: workDir },
  );
  const queryUrl = `http://127.0.0.1:${ports.queryHttp}`;
  await waitForHttp(`${queryUrl}/-/ready`, 60_000, query);
  const thanos: Thanos = {
    receive,
    query,
    remoteWriteUrl: `http://127.0.0.1:${ports.remoteWrite}/api/v1/receive`,
    queryUrl,
    receiveUrl: `http://127.0.0.1:${ports.receiveHttp}`,
  };
  if (rules && rulePorts) {
    thanos.rule = await startThanosRule(repoRoot, { ...rulePorts, queryUrl }, workDir, rules);
    thanos.ruleUrl = `http://127.0.0.1:${rulePorts.http}`;
  }
  return thanos;
}
