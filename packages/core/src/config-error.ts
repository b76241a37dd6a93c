/**
 * Invalid configuration of llm-otel: the message names the option (or environment variable) and
 * the accepted values. Thrown synchronously by the configuration entry points (`getLlmMetrics(options)`,
 * `configure()`, `new LlmMetrics()`, `register()` of `@llm-otel/node`); recording never throws it.
 */
export class LlmOtelConfigError extends Error {
  override name = 'LlmOtelConfigError';
}
