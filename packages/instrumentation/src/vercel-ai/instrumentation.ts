import { InstrumentationBase, type InstrumentationConfig } from '@opentelemetry/instrumentation';
import { safely } from '../shared/safe.js';
import { PACKAGE_VERSION } from '../version.js';
import { VercelAiMeters } from './integration.js';

/** The `ai` (Vercel AI SDK) releases whose telemetry integration interface this instrumentation uses. */
export const VERCEL_AI_SUPPORTED_VERSIONS = ['>=7.0.0 <8'];

/** Options of {@link VercelAIInstrumentation}. */
export type VercelAIInstrumentationConfig = InstrumentationConfig;

// The AI SDK reads its global integrations on every call (`registerTelemetry()` appends to this
// list), so one integration, registered once per process, serves every copy of `ai` (CJS and ESM)
// loaded before or after us. It measures while at least one instrumentation object is enabled.
const GLOBAL_KEY = 'AI_SDK_TELEMETRY_INTEGRATIONS';
const meters = new VercelAiMeters();
const enabledBy = new Set<object>();

function globalIntegrations(): unknown[] {
  const g = globalThis as Record<string, unknown>;
  let list = g[GLOBAL_KEY];
  if (!Array.isArray(list)) {
    list = [];
    g[GLOBAL_KEY] = list;
  }
  return list as unknown[];
}

function register(owner: object): void {
  enabledBy.add(owner);
  meters.active = true;
  const list = globalIntegrations();
  if (!list.includes(meters)) list.push(meters);
}

function unregister(owner: object): void {
  enabledBy.delete(owner);
  if (enabledBy.size > 0) return;
  meters.active = false;
  meters.closeAll();
  const list = globalIntegrations();
  const at = list.indexOf(meters);
  if (at >= 0) list.splice(at, 1);
}

/**
 * Measures the model calls of the Vercel AI SDK (`ai` 7.x) into the llm-otel metrics through the
 * SDK's public telemetry integration interface (the global `registerTelemetry()` list), not by
 * patching: `generateText`, `streamText` (each step), `generateObject`, `streamObject`, `embed`
 * and `embedMany` (each `doEmbed`), with whichever `@ai-sdk/*` provider the call uses (provider
 * and model from the call). Calls that pass their own `telemetry.integrations` (which replace the
 * global ones) or `telemetry.isEnabled: false` are not seen.
 */
export class VercelAIInstrumentation extends InstrumentationBase<VercelAIInstrumentationConfig> {
  constructor(config: VercelAIInstrumentationConfig = {}) {
    super('@llm-otel/instrumentation-vercel-ai', PACKAGE_VERSION, config);
  }

  /** No module to patch: the SDK calls the registered integration. */
  protected init() {
    return [];
  }

  override enable(): void {
    super.enable();
    safely('vercel-ai:enable', () => register(this));
  }

  override disable(): void {
    super.disable();
    safely('vercel-ai:disable', () => unregister(this));
  }

  /** Model calls started through the AI SDK and not yet recorded. */
  get callsInFlight(): number {
    return meters.inFlight;
  }
}
