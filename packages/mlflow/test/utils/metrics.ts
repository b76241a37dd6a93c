import { metrics } from '@opentelemetry/api';
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';

/** A pull reader the tests collect from directly. */
class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** Installs a global MeterProvider; returns a function giving the `llm_model_version` series that are 1. */
export function deployedVersions(): () => Promise<Array<Record<string, unknown>>> {
  const reader = new TestReader();
  metrics.disable();
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  return async () => {
    const { resourceMetrics } = await reader.collect();
    const metric = resourceMetrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === 'llm_model_version');
    return (metric?.dataPoints ?? []).filter((p) => p.value === 1).map((p) => ({ ...p.attributes }));
  };
}
