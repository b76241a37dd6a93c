import { type Attributes, metrics } from '@opentelemetry/api';
import type { DataPoint } from '@opentelemetry/sdk-metrics';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_DRIFT_MONITOR_OPTIONS,
  type DriftEvent,
  getDriftMonitor,
  getLlmMetrics,
  INSTRUMENTS,
  LlmOtelConfigError,
} from '../src/index.js';
import { DriftMonitor } from '../src/internal.js';
import { resetReportedForTests } from '../src/report-once.js';
import { collectByName, counterValue, installProvider, pointsWith } from './collect.js';
import { SeededRandom } from './drift-random.js';

/** Small windows so that the tests run quickly. */
const SMALL = { warmup: 0, referenceSize: 200, windowSize: 100, minSamples: 100, evaluateEvery: 25 };
const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

describe('drift monitor', () => {
  let unsubscribe: (() => void)[] = [];
  beforeEach(() => {
    resetReportedForTests();
    getDriftMonitor({ ...DEFAULT_DRIFT_MONITOR_OPTIONS, ...SMALL }).clear();
  });
  afterEach(() => {
    for (const u of unsubscribe) u();
    unsubscribe = [];
    getLlmMetrics().configure({ driftDetection: false });
    metrics.disable();
  });

  it('is a process-wide singleton with the documented defaults', () => {
    expect(getDriftMonitor()).toBe(getDriftMonitor());
    expect(new DriftMonitor().getOptions()).toMatchObject({
      referenceSize: 1000,
      windowSize: 500,
      maxModels: 20,
      metrics: ['latency', 'response_length', 'quality_score'],
    });
  });

  it('exports llm_drift_* gauges by llm.drift.metric and gen_ai.request.model via a real MeterProvider', async () => {
    const { reader } = installProvider();
    const monitor = getDriftMonitor();
    const rnd = new SeededRandom(1);
    for (let i = 0; i < 400; i++) {
      monitor.observe('response_length', 'steady', rnd.tokens(120));
      monitor.observe('response_length', 'drifting', rnd.tokens(i < 200 ? 120 : 200));
    }
    monitor.observe('latency', 'steady', 1); // collecting its reference: no series yet
    const byName = await collectByName(reader);
    for (const [key, unit] of [
      ['driftKsStatistic', '{statistic}'],
      ['driftPsi', '{statistic}'],
      ['driftPValue', '{probability}'],
      ['driftDetected', '{detected}'],
    ] as const) {
      const spec = INSTRUMENTS[key];
      const metric = byName.get(spec.name);
      expect(metric, spec.name).toBeDefined();
      expect(metric?.descriptor.unit).toBe(unit);
      expect(spec.group).toBe('drift');
      expect(metric?.dataPoints).toHaveLength(2);
      for (const p of metric?.dataPoints ?? []) {
        expect(Object.keys(p.attributes).sort()).toEqual(['gen_ai.request.model', 'llm.drift.metric']);
        expect(p.attributes['llm.drift.metric']).toBe('response_length');
      }
    }
    const value = (name: string, model: string) =>
      (pointsWith<number>(byName.get(name), { 'gen_ai.request.model': model })[0] as DataPoint<number>).value;
    expect(value('llm_drift_detected', 'drifting')).toBe(1);
    expect(value('llm_drift_detected', 'steady')).toBe(0);
    expect(value('llm_drift_p_value', 'drifting')).toBeLessThan(0.01);
    expect(value('llm_drift_p_value', 'steady')).toBeGreaterThan(0.01);
    expect(value('llm_drift_ks_statistic', 'drifting')).toBeGreaterThan(value('llm_drift_ks_statistic', 'steady'));
    expect(value('llm_drift_psi', 'drifting')).toBeGreaterThan(0.2);
    const last = monitor.getStatus('drifting', 'response_length')[0]?.last;
    expect(value('llm_drift_psi', 'drifting')).toBe(last?.psi);
  });

  it('calls onDrift once per episode, after the observing call, until unsubscribed', async () => {
    const monitor = getDriftMonitor();
    const events: DriftEvent[] = [];
    const off = monitor.onDrift((e) => {
      events.push(e);
    });
    unsubscribe.push(off);
    const rnd = new SeededRandom(2);
    for (let i = 0; i < 200; i++) monitor.observe('latency', 'm', rnd.latency());
    let calls = 0;
    for (let i = 0; i < 2000; i++) {
      monitor.observe('latency', 'm', rnd.latency(3.5)); // +2 s and more
      if (events.length > calls) calls = events.length;
    }
    expect(calls).toBe(0); // nothing ran synchronously inside observe()
    await tick();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      metric: 'latency',
      model: 'm',
      drifted: true,
      inDrift: true,
      episodeStarted: true,
    });
    expect(events[0]?.p95Shift).toBeGreaterThan(2);

    off();
    monitor.freezeBaseline('m', 'latency'); // accept the new normal, then drift again
    for (let i = 0; i < 1000; i++) monitor.observe('latency', 'm', rnd.latency(8));
    await tick();
    expect(events).toHaveLength(1);
    expect(monitor.getStatus('m', 'latency')[0]?.inDrift).toBe(true);
  });

  it('catches and counts errors of drift callbacks (sync and async)', async () => {
    const { reader } = installProvider();
    const monitor = getDriftMonitor();
    let good = 0;
    unsubscribe.push(
      monitor.onDrift(() => {
        throw new Error('boom');
      }),
      monitor.onDrift(async () => {
        throw new Error('async boom');
      }),
      monitor.onDrift(() => {
        good++;
      }),
    );
    const rnd = new SeededRandom(3);
    for (let i = 0; i < 200; i++) monitor.observe('quality_score', 'm', 0.8 + 0.02 * rnd.normal());
    expect(() => {
      for (let i = 0; i < 300; i++) monitor.observe('quality_score', 'm', 0.6 + 0.02 * rnd.normal());
    }).not.toThrow();
    await tick();
    expect(good).toBe(1);
    const errors = counterValue((await collectByName(reader)).get('llm_otel_internal_errors_total'), {
      'llm_otel.component': 'drift.onDrift',
    });
    expect(errors).toBe(2);
  });

  it('bounds the tracked models: beyond maxModels new models are dropped and counted', async () => {
    const { reader } = installProvider();
    const monitor = getDriftMonitor({ ...DEFAULT_DRIFT_MONITOR_OPTIONS, ...SMALL, maxModels: 3 });
    for (let m = 0; m < 10; m++) for (let i = 0; i < 5; i++) monitor.observe('latency', `model-${m}`, 1);
    monitor.observe('response_length', 'model-1', 10); // a known model, another metric: allowed
    expect(monitor.getStats()).toEqual({ detectors: 4, models: 3, droppedObservations: 35 });
    const dropped = counterValue((await collectByName(reader)).get('llm_otel_attribute_overflow_total'), {
      'llm_otel.attribute': 'llm.drift.model',
      'llm_otel.reason': 'too_many_values',
    });
    expect(dropped).toBe(35);
    const bytes = monitor.getStatus().reduce((sum, s) => sum + s.byteLength, 0);
    expect(bytes).toBeLessThan(4 * 8 * (200 + 2 * 100) + 4 * 1024);
  });

  it('ignores invalid values, unknown metrics and _OTHER; never throws', () => {
    const monitor = getDriftMonitor({ ...DEFAULT_DRIFT_MONITOR_OPTIONS, ...SMALL, metrics: ['latency'] });
    expect(() => {
      monitor.observe('latency', 'm', Number.NaN);
      monitor.observe('latency', 'm', -1);
      monitor.observe('quality_score', 'm', 0.5); // not monitored
      monitor.observe('latency', '_OTHER', 1);
      monitor.observe('latency', '', 1);
      monitor.observe('nonsense' as never, 'm', 1);
    }).not.toThrow();
    expect(monitor.getStats().detectors).toBe(0);
    monitor.observe('latency', 'm', 1);
    expect(monitor.getStats().detectors).toBe(1);
  });

  it('keeps memory fixed across 10^5 observations of several models', () => {
    const monitor = getDriftMonitor();
    const rnd = new SeededRandom(4);
    const models = ['a', 'b', 'c', 'd'];
    for (let i = 0; i < 2000; i++) for (const m of models) monitor.observe('latency', m, rnd.latency());
    const before = monitor.getStatus().map((s) => s.byteLength);
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    for (let i = 0; i < 100_000; i++) monitor.observe('latency', models[i % 4] as string, rnd.latency());
    global.gc?.();
    const heapAfter = process.memoryUsage().heapUsed;
    expect(monitor.getStatus().map((s) => s.byteLength)).toEqual(before);
    for (const s of monitor.getStatus()) expect(s.windowCount).toBeLessThanOrEqual(100);
    if (global.gc) expect(heapAfter - heapBefore).toBeLessThan(1_000_000);
  });

  it('configure() validates, and restarts the detectors only when something changed', () => {
    const monitor = getDriftMonitor();
    monitor.observe('latency', 'm', 1);
    getDriftMonitor({ ...monitor.getOptions() });
    expect(monitor.getStats().detectors).toBe(1);
    expect(() => monitor.configure({ maxModels: 0 })).toThrow(/maxModels/);
    expect(() => monitor.configure({ metrics: ['tokens' as never] })).toThrow(/metrics/);
    expect(monitor.getStats().detectors).toBe(1);
    monitor.configure({ alpha: 0.001 });
    expect(monitor.getStats().detectors).toBe(0);
  });

  it('evaluate() and resetBaseline() act on the selected detectors', () => {
    const monitor = getDriftMonitor();
    const rnd = new SeededRandom(5);
    for (let i = 0; i < 320; i++) {
      monitor.observe('latency', 'x', rnd.latency());
      monitor.observe('latency', 'y', rnd.latency());
    }
    expect(monitor.evaluate('x').map((e) => e.model)).toEqual(['x']);
    expect(monitor.evaluate()).toHaveLength(2);
    expect(monitor.resetBaseline(undefined, 'latency')).toBe(2);
    expect(monitor.getStatus().every((s) => s.phase === 'collecting_reference' && s.last === undefined)).toBe(true);
    expect(monitor.evaluate()).toHaveLength(0);
  });
});

describe('drift monitor: operations, directions, truthful gauges, options', () => {
  let unsubscribe: (() => void)[] = [];
  beforeEach(() => {
    resetReportedForTests();
    getDriftMonitor({ ...DEFAULT_DRIFT_MONITOR_OPTIONS, ...SMALL }).clear();
  });
  afterEach(() => {
    for (const u of unsubscribe) u();
    unsubscribe = [];
    getLlmMetrics().configure({ driftDetection: false });
    metrics.disable();
  });

  const detectedOf = async (reader: Parameters<typeof collectByName>[0], match: Record<string, unknown>) =>
    pointsWith<number>((await collectByName(reader)).get('llm_drift_detected'), match).map((p) => p.value);

  it('keys detectors by model and operation, and labels the gauges with gen_ai.operation.name', async () => {
    const { reader } = installProvider();
    const monitor = getDriftMonitor();
    const rnd = new SeededRandom(41);
    for (let i = 0; i < 400; i++) {
      monitor.observe('latency', 'by-op', rnd.latency(1.2), 'chat');
      monitor.observe('latency', 'by-op', rnd.latency(i < 200 ? 0.3 : 1.5), 'embeddings'); // slower embeddings
    }
    expect(monitor.getStats().detectors).toBe(2);
    expect(monitor.getStatus('by-op', 'latency', 'chat')[0]?.inDrift).toBe(false);
    expect(monitor.getStatus('by-op', 'latency', 'embeddings')[0]?.inDrift).toBe(true);
    const points = pointsWith<number>((await collectByName(reader)).get('llm_drift_detected'), {
      'gen_ai.request.model': 'by-op',
    });
    expect(points.map((p) => [p.attributes['gen_ai.operation.name'], p.value]).sort()).toEqual([
      ['chat', 0],
      ['embeddings', 1],
    ]);
  });

  it('the recording API feeds calls whose error is falsy (no failure), not failed ones', () => {
    const llm = getLlmMetrics({ driftDetection: true });
    const call = { provider: 'openai', operation: 'chat', model: 'falsy', durationSeconds: 1 };
    for (const error of [undefined, null, false, 0, '']) llm.recordInference({ ...call, error });
    llm.recordInference({ ...call, error: 'timeout' });
    llm.recordInference({ ...call, error: new Error('boom') });
    expect(getDriftMonitor().getStatus('falsy', 'latency')[0]?.observations).toBe(5);
  });

  it('the recording API feeds latency and response length by operation, quality scores without one', () => {
    const llm = getLlmMetrics({ driftDetection: true });
    llm.recordInference({ provider: 'openai', operation: 'chat', model: 'x', durationSeconds: 1, outputTokens: 5 });
    llm.recordInference({ provider: 'openai', operation: 'text_completion', model: 'x', durationSeconds: 1 });
    llm.recordQualityScore(0.5, { model: 'x' });
    const keys = getDriftMonitor()
      .getStatus('x')
      .map((s) => `${s.metric}/${s.operation ?? '-'}`)
      .sort();
    expect(keys).toEqual(['latency/chat', 'latency/text_completion', 'quality_score/-', 'response_length/chat']);
  });

  it('a latency improvement after a cold start does not fire onDrift; a degradation does', async () => {
    const monitor = getDriftMonitor({ warmup: 20 });
    const events: DriftEvent[] = [];
    unsubscribe.push(monitor.onDrift((e) => void events.push(e)));
    const rnd = new SeededRandom(42);
    for (let i = 0; i < 20; i++) monitor.observe('latency', 'm', 8 + rnd.latency(), 'chat'); // cold start
    for (let i = 0; i < 300; i++) monitor.observe('latency', 'm', rnd.latency(2), 'chat');
    for (let i = 0; i < 500; i++) monitor.observe('latency', 'm', rnd.latency(1), 'chat'); // twice as fast
    await tick();
    expect(events).toHaveLength(0);
    expect(monitor.getStatus('m', 'latency')[0]?.last?.pValue).toBeGreaterThan(0.5);
    for (let i = 0; i < 500; i++) monitor.observe('latency', 'm', rnd.latency(4), 'chat'); // slower than the reference
    await tick();
    expect(events.map((e) => [e.metric, e.model, e.operation, e.direction])).toEqual([
      ['latency', 'm', 'chat', 'increase'],
    ]);
  });

  it('directions are configurable per metric', async () => {
    const monitor = getDriftMonitor({ directions: { latency: 'both' } });
    expect(monitor.getOptions().directions).toEqual({
      latency: 'both',
      response_length: 'both',
      quality_score: 'decrease',
    });
    const events: DriftEvent[] = [];
    unsubscribe.push(monitor.onDrift((e) => void events.push(e)));
    const rnd = new SeededRandom(43);
    for (let i = 0; i < 200; i++) monitor.observe('latency', 'm', rnd.latency(2));
    for (let i = 0; i < 300; i++) monitor.observe('latency', 'm', rnd.latency(1)); // faster: drift both ways
    await tick();
    expect(events.map((e) => e.direction)).toEqual(['both']);
    monitor.configure({ directions: { latency: undefined } }); // undefined keeps the current value
    expect(monitor.getOptions().directions.latency).toBe('both');
  });

  it('exports llm_drift_detected 0 and NaN statistics after resetBaseline, freezeBaseline, configure and clear', async () => {
    const { reader } = installProvider();
    const monitor = getDriftMonitor();
    const rnd = new SeededRandom(44);
    const drift = (model: string) => {
      for (let i = 0; i < 200; i++) monitor.observe('response_length', model, rnd.tokens(120), 'chat');
      for (let i = 0; i < 200; i++) monitor.observe('response_length', model, rnd.tokens(200), 'chat');
    };
    const stats = async (model: string) => {
      const byName = await collectByName(reader);
      const one = (name: string) =>
        pointsWith<number>(byName.get(name), {
          'gen_ai.request.model': model,
          'llm.drift.metric': 'response_length',
        }).map((p) => p.value);
      return {
        detected: one('llm_drift_detected'),
        ks: one('llm_drift_ks_statistic'),
        psi: one('llm_drift_psi'),
        p: one('llm_drift_p_value'),
      };
    };
    const none = { detected: [0], ks: [Number.NaN], psi: [Number.NaN], p: [Number.NaN] };

    drift('reset');
    expect((await stats('reset')).detected).toEqual([1]);
    expect(monitor.resetBaseline('reset')).toBe(1);
    expect(await stats('reset')).toEqual(none);

    drift('freeze');
    expect((await stats('freeze')).detected).toEqual([1]);
    expect(monitor.freezeBaseline('freeze')).toBe(1);
    expect(await stats('freeze')).toEqual(none);

    drift('configure');
    expect((await stats('configure')).detected).toEqual([1]);
    monitor.configure({ alpha: 0.001 }); // drops every detector
    expect(await stats('configure')).toEqual(none);

    getDriftMonitor({ alpha: 0.01 });
    drift('clear');
    expect((await stats('clear')).detected).toEqual([1]);
    monitor.clear();
    expect(await stats('clear')).toEqual(none);
    expect(monitor.getStats().detectors).toBe(0);

    drift('clear'); // a new detector of the same series takes over: reported once, live
    expect((await stats('clear')).detected).toEqual([1]);
  });

  it('bounds detectors with maxDetectors, and drops overlong operation names (counted)', async () => {
    const { reader } = installProvider();
    const monitor = getDriftMonitor({ maxDetectors: 3 });
    for (const op of ['a', 'b', 'c', 'd', 'e']) monitor.observe('latency', 'm', 1, op);
    monitor.observe('latency', 'm', 1, 'x'.repeat(500));
    expect(monitor.getStats()).toEqual({ detectors: 3, models: 1, droppedObservations: 3 });
    const overflow = (await collectByName(reader)).get('llm_otel_attribute_overflow_total');
    expect(
      counterValue(overflow, { 'llm_otel.attribute': 'llm.drift.detector', 'llm_otel.reason': 'too_many_values' }),
    ).toBe(2);
    expect(counterValue(overflow, { 'llm_otel.attribute': 'llm.drift.operation', 'llm_otel.reason': 'too_long' })).toBe(
      1,
    );
    monitor.configure({ maxDetectors: 100 });
    expect(() => monitor.observe('latency', 'm', 1, 42 as never)).not.toThrow(); // not a string: ignored
    expect(monitor.getStats().detectors).toBe(0);
  });

  it('rejects invalid options with LlmOtelConfigError and changes nothing; undefined means the default', () => {
    const monitor = getDriftMonitor();
    const before = monitor.getOptions();
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ maxModels: Number.NaN }, /maxModels must be an integer from 1 to 10000, got NaN/],
      [{ maxDetectors: -5 }, /maxDetectors must be an integer/],
      [{ windowSize: '100' }, /windowSize must be an integer from 1 to 1000000, got "100"/],
      [{ alpha: -0.1 }, /alpha must be a number in \(0, 1\), got -0.1/],
      [{ warmup: Number.POSITIVE_INFINITY }, /warmup/],
      [{ metrics: 'latency' }, /metrics must be an array/],
      [{ directions: { latency: 'up' } }, /directions must be an object mapping/],
      [{ directions: { tokens: 'both' } }, /directions/],
      [{ minSamples: 500 }, /minSamples \(500\) exceeds windowSize/],
      [{ windowSise: 10 }, /unknown option "windowSise" in drift options/],
    ];
    for (const [options, message] of bad) {
      expect(() => monitor.configure(options as never)).toThrow(LlmOtelConfigError);
      expect(() => monitor.configure(options as never)).toThrow(message);
      expect(monitor.getOptions()).toBe(before);
    }
    expect(() => new DriftMonitor({ referenceSize: undefined, maxModels: undefined })).not.toThrow();
    expect(new DriftMonitor({ referenceSize: undefined }).getOptions().referenceSize).toBe(1000);
    monitor.configure({ windowSize: undefined });
    expect(monitor.getOptions()).toBe(before);
  });
});

describe('feeding from the recording API', () => {
  beforeEach(() => getDriftMonitor({ ...DEFAULT_DRIFT_MONITOR_OPTIONS, ...SMALL }).clear());
  afterEach(() => {
    getLlmMetrics().configure({ driftDetection: false });
    metrics.disable();
  });

  const call = { provider: 'openai', operation: 'chat', model: 'gpt-4o-mini' };

  it('is off by default: recording does not touch the drift monitor', () => {
    expect(getLlmMetrics().getOptions().driftDetection).toBe(false);
    getLlmMetrics().recordInference({ ...call, durationSeconds: 1, outputTokens: 10 });
    getLlmMetrics().recordQualityScore(0.9, { model: 'gpt-4o-mini' });
    expect(getDriftMonitor().getStats().detectors).toBe(0);
  });

  it('with driftDetection, feeds latency and output tokens of successful calls and quality scores', () => {
    const llm = getLlmMetrics({ driftDetection: true });
    llm.recordInference({ ...call, durationSeconds: 1.5, outputTokens: 42 });
    llm.recordInference({ ...call, durationSeconds: 2, outputTokens: 7, error: 'timeout' }); // failed: not fed
    llm.recordInference({ ...call, durationSeconds: 0.5 }); // no usage: latency only
    llm.recordInference({ provider: 'openai', operation: 'chat', durationSeconds: 1 }); // no model: not fed
    llm.recordQualityScore(0.75, { model: 'gpt-4o-mini', task: 'summarization' });
    llm.recordQualityScore(2, { model: 'gpt-4o-mini' }); // invalid: dropped before the monitor
    const status = Object.fromEntries(
      getDriftMonitor()
        .getStatus()
        .map((s) => [`${s.metric}/${s.model}`, s]),
    );
    expect(Object.keys(status).sort()).toEqual([
      'latency/gpt-4o-mini',
      'quality_score/gpt-4o-mini',
      'response_length/gpt-4o-mini',
    ]);
    expect(status['latency/gpt-4o-mini']?.observations).toBe(2);
    expect(status['response_length/gpt-4o-mini']?.observations).toBe(1);
    expect(status['quality_score/gpt-4o-mini']?.observations).toBe(1);
  });

  it('detects an injected response-length drift end to end and exports it', async () => {
    const { reader } = installProvider();
    const llm = getLlmMetrics({ driftDetection: true });
    const events: DriftEvent[] = [];
    const off = getDriftMonitor().onDrift((e) => {
      events.push(e);
    });
    const rnd = new SeededRandom(6);
    for (let i = 0; i < 600; i++) {
      const outputTokens = rnd.tokens(i < 350 ? 120 : 168); // +40% after 350 calls
      llm.recordInference({ ...call, durationSeconds: rnd.latency(), outputTokens });
    }
    await tick();
    off();
    expect(events.map((e) => `${e.metric}/${e.model}`)).toEqual(['response_length/gpt-4o-mini']);
    const detected = pointsWith<number>((await collectByName(reader)).get('llm_drift_detected'), {
      'llm.drift.metric': 'response_length',
      'gen_ai.request.model': 'gpt-4o-mini',
    }) as DataPoint<number>[];
    expect(detected.map((p) => [p.attributes as Attributes, p.value])).toEqual([
      [
        {
          'llm.drift.metric': 'response_length',
          'gen_ai.request.model': 'gpt-4o-mini',
          'gen_ai.operation.name': 'chat',
        },
        1,
      ],
    ]);
  });
});
