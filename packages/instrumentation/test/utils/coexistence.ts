import { trace } from '@opentelemetry/api';
import { OpenAIInstrumentation as ContribOpenAIInstrumentation } from '@opentelemetry/instrumentation-openai';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import * as traceSdk from '@opentelemetry/sdk-trace-base';
import { beforeEach, describe, expect, it } from 'vitest';
import { describeError, describeValue, drain, withAndWithout } from './harness.js';
import { OPENAI_USAGE } from './llm-server.js';
import { M } from './metrics.js';
import { setupInstrumentationTest } from './setup.js';

/**
 * Runs the app-facing and metric checks with `@opentelemetry/instrumentation-openai` enabled too.
 * `contribFirst`: the contrib instrumentation patches first, so ours wraps over it; else the other
 * way round. Both must give correct results: ours the exact metrics, theirs one span per call with
 * the usage it can see.
 */
export function coexistenceSuite(contribFirst: boolean): void {
  const spans = new traceSdk.InMemorySpanExporter();
  // SDK 2.x calls it BasicTracerProvider (in sdk-trace-base), SDK 3.x TracerProvider (in sdk-trace).
  const TracerProvider = (traceSdk.BasicTracerProvider ??
    (traceSdk as unknown as { TracerProvider: typeof traceSdk.BasicTracerProvider })
      .TracerProvider) as typeof traceSdk.BasicTracerProvider;
  const tracerProvider = new TracerProvider({ spanProcessors: [new traceSdk.SimpleSpanProcessor(spans)] });
  trace.setGlobalTracerProvider(tracerProvider);
  // Which of the two patches first depends on which is created first.
  const earlyContrib = contribFirst ? new ContribOpenAIInstrumentation() : undefined;
  const t = setupInstrumentationTest();
  const contrib = earlyContrib ?? new ContribOpenAIInstrumentation();
  const { server, openai: ours } = t;
  // As registerInstrumentations() does; the contrib instrumentation creates its instruments here.
  contrib.setTracerProvider(tracerProvider);
  contrib.setMeterProvider(new MeterProvider());
  // The contrib instrumentation supports openai < 7.
  const clients = t.openaiClients.filter(({ major }) => major < 7);
  // The Node 24 matrix turns the span checks off: its SDK 3.x trace exporter setup exports no span
  // there (an SDK-side matter); the app-facing and metric checks still run.
  const checkSpans = process.env.LLM_OTEL_CHECK_CONTRIB_SPANS !== 'false';
  // Their spans: ours (scope @llm-otel/core, one per instrumented call) are checked in spans.test.ts.
  const theirSpans = () => spans.getFinishedSpans().filter((s) => s.instrumentationScope.name !== '@llm-otel/core');
  const finishedSpans = (expected: number) => {
    const finished = theirSpans();
    if (checkSpans) expect(finished).toHaveLength(expected);
    return finished;
  };
  beforeEach(() => {
    spans.reset();
  });
  const messages = [{ role: 'user' as const, content: 'hi' }];

  describe.each(clients)(
    `openai $version with instrumentation-openai (${contribFirst ? 'inner' : 'outer'})`,
    ({ OpenAI }) => {
      const client = () => new OpenAI({ apiKey: 'k', baseURL: server.openaiBaseURL, maxRetries: 0 });

      it('plain chat: same value; our metrics exact; their span has the usage', async () => {
        const { instrumented, plain } = await withAndWithout(ours, async () =>
          describeValue(await client().chat.completions.create({ model: 'gpt-test', messages })),
        );
        expect(instrumented).toEqual(plain);
        const c = await t.collect();
        expect(c.count(M.latency)).toBe(1);
        expect(c.sum(M.tokens, { 'gen_ai.token.type': 'input' })).toBe(OPENAI_USAGE.chat.input);
        expect(c.sum(M.tokens, { 'gen_ai.token.type': 'output' })).toBe(OPENAI_USAGE.chat.output);
        const finished = finishedSpans(2);
        for (const span of finished) {
          expect(span.attributes['gen_ai.usage.input_tokens']).toBe(OPENAI_USAGE.chat.input);
          expect(span.attributes['gen_ai.usage.output_tokens']).toBe(OPENAI_USAGE.chat.output);
        }
      });

      it('streamed chat: same chunks; our metrics exact; one span per call', async () => {
        const { instrumented, plain } = await withAndWithout(ours, async () =>
          drain(await client().chat.completions.create({ model: 'gpt-test', messages, stream: true })),
        );
        expect(instrumented).toEqual(plain);
        expect(instrumented.items).toHaveLength(5);
        const c = await t.collect();
        expect(c.count(M.latency)).toBe(1);
        expect(c.sum(M.tokens, { 'gen_ai.token.type': 'output' })).toBe(OPENAI_USAGE.chat.output);
        const finished = finishedSpans(2);
        // Inner, the contrib instrumentation sees the usage chunk we asked for; outer, it sees what the
        // app sees (no usage, as without us).
        if (checkSpans) {
          expect(finished[0]?.attributes['gen_ai.usage.output_tokens']).toBe(
            contribFirst ? OPENAI_USAGE.chat.output : undefined,
          );
        }
      });

      it('errors: the same error; one error in our metrics', async () => {
        const capture = async () => {
          try {
            await client().chat.completions.create({ model: 'fail-429', messages });
          } catch (error) {
            return describeError(error);
          }
        };
        const { instrumented, plain } = await withAndWithout(ours, capture);
        expect(instrumented).toEqual(plain);
        const c = await t.collect();
        expect(c.counter(M.errors, { 'error.type': 'rate_limit' })).toBe(1);
      });

      it('parse(): ours changes nothing to what the app gets beside the contrib instrumentation', async () => {
        const parse = async () => {
          const c = client() as unknown as Record<string, Record<string, Record<string, unknown>>>;
          const completions = (
            typeof c.chat?.completions?.parse === 'function' ? c.chat.completions : c.beta?.chat?.completions
          ) as { parse(body: unknown): Promise<unknown> };
          try {
            return describeValue(
              await completions.parse({
                model: 'gpt-test',
                messages,
                response_format: { type: 'json_schema', json_schema: { name: 'a', schema: { type: 'object' } } },
              }),
            );
          } catch (error) {
            // The contrib instrumentation reads the body with .then(), so parse() may fail with "Body is unusable".
            return describeError(error);
          }
        };
        const { instrumented, plain } = await withAndWithout(ours, parse);
        expect(instrumented).toEqual(plain);
      });

      it('embeddings: our metrics exact', async () => {
        await client().embeddings.create({ model: 'gpt-test', input: 'x' });
        const c = await t.collect();
        expect(c.sum(M.tokens, { 'gen_ai.token.type': 'input' })).toBe(OPENAI_USAGE.embeddings.input);
        if (checkSpans) {
          expect(theirSpans().filter((span) => span.name.startsWith('embeddings'))).toHaveLength(1);
        }
      });
    },
  );
}
