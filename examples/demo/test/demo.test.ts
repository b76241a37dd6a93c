import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as import('node:net').AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

describe('pnpm demo', () => {
  it('measures real clients, shows a version change and reports the injected response-length drift', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', '@llm-otel/node/register', 'dist/main.js'], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      env: {
        ...process.env,
        OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
        OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
        // As `pnpm demo` does: the simulator's models priced at OpenAI's list prices.
        LLM_OTEL_PRICES_FILE: '../llm-service/simulator-prices.json',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const [code] = await once(child, 'exit');
    expect(out).toContain('after re-deploy');
    expect(code, out).toBe(0);
    expect(out).toMatch(/drift detected: response_length of mistral/);
    expect(out).not.toMatch(/drift detected: response_length of gpt-4o-mini/);
    expect(out).toMatch(/llm_model_version\{llm_model_name="mistral",llm_model_version="v1.1.0",[^}]*\} 1/);
    expect(out).toMatch(/llm_model_version\{llm_model_name="mistral",llm_model_version="v1.0.0",[^}]*\} 0/);
    for (const name of [
      'llm_inference_latency_seconds_count',
      'llm_token_generation_rate_total',
      'llm_time_to_first_token_seconds_count',
      'llm_response_quality_score',
      'llm_intent_parsing_accuracy_total',
      'llm_summarization_length_count',
    ])
      expect(out).toContain(name);
    expect(out).toContain(`Prometheus endpoint: http://127.0.0.1:${port}/metrics`);
    // Spend per model: the priced simulator models cost something, the local Ollama model nothing.
    const spend = out.slice(out.indexOf('spend per model'), out.indexOf('rate-limit headroom'));
    expect(spend).toMatch(/openai_compatible {2}gpt-4o-mini +\$0\.\d*[1-9]\d* {2}= input /);
    expect(spend).toMatch(/openai_compatible {2}o4-mini +\$0\.\d*[1-9]\d* {2}= input /);
    expect(spend).toMatch(/ollama +mistral +\$0\.000000\n/);
    expect(spend).toMatch(/total +\$0\.\d*[1-9]/);
    // The token types the simulator reports: cached input on repeated prompts, reasoning for o4-mini.
    expect(spend).toMatch(/gpt-4o-mini .*= input \S+ \+ cached_input \S+ \+ output /);
    expect(spend).toMatch(/o4-mini .*\+ reasoning 0\.\d*[1-9]/);
    // Claude through the real Anthropic client: its cache writes and reads priced as their own types.
    expect(spend).toMatch(/anthropic +claude-haiku-4-5 +\$0\.\d*[1-9]\d* {2}= input /);
    expect(spend).toMatch(/claude-haiku-4-5 .*cache_creation_input 0\.\d*[1-9]/);
    expect(spend).toMatch(/claude-haiku-4-5 .*cached_input 0\.\d*[1-9]/);
    // Headroom: the simulator's OpenAI-style limits (3000 requests, 1,000,000 tokens per minute)
    // (columns padded to the longest provider, server and kind).
    const headroom = out.slice(out.indexOf('rate-limit headroom'), out.indexOf('Prometheus endpoint'));
    expect(headroom).toMatch(
      /openai_compatible {2}127\.0\.0\.1 {2}requests +\d+ of 3000 left \(\d+\.\d%\), resets in \d+\.\d s/,
    );
    expect(headroom).toMatch(/openai_compatible {2}127\.0\.0\.1 {2}tokens +\d+ of 1000000 left/);
    expect(headroom).not.toContain('ollama');
    // Anthropic's four kinds: requests, tokens, input and output tokens.
    for (const kind of ['requests', 'tokens', 'input_tokens', 'output_tokens'])
      expect(headroom).toMatch(new RegExp(`anthropic +127\\.0\\.0\\.1 +${kind} +\\d+ of \\d+ left`));
    // The A/B experiment: users split between two arms; the candidate the simulator makes slower and
    // worse is read as such from the llm_ab_* gauges, the error ratios compared too.
    expect(out).toMatch(/A\/B experiment summary-model: 1000 users split by id, \d+ on haiku .*, \d+ on sonnet /);
    const ab = out.slice(out.indexOf('A/B experiment summary-model ('), out.indexOf('Prometheus endpoint'));
    expect(ab).toMatch(/\n {2}haiku +claude-haiku-4-5 +\d+ +\d+\.\d{3} s +\d+\.\d% +\d+ \(baseline\)\n/);
    expect(ab).toMatch(/\n {2}sonnet +claude-sonnet-4-6 +\d+ +\d+\.\d{3} s +\d+\.\d% +\d+\n/);
    const arm = (name: string) => {
      const [calls, p95, scores] = (ab.match(new RegExp(`\\n {2}${name} +\\S+ +(\\d+) +(\\S+) s +\\S+% +(\\d+)`)) ?? [])
        .slice(1)
        .map(Number);
      return { calls: calls ?? 0, p95: p95 ?? 0, scores: scores ?? 0 };
    };
    const [haiku, sonnet] = [arm('haiku'), arm('sonnet')];
    expect(haiku.calls + sonnet.calls).toBe(200);
    // At least 30 scores a side (the comparator's minimum), and the slower arm's p95 is above the other's.
    expect(Math.min(haiku.scores, sonnet.scores)).toBeGreaterThanOrEqual(30);
    expect(sonnet.p95).toBeGreaterThan(haiku.p95);
    expect(ab).toMatch(
      /latency +Mann-Whitney U +rank-biserial \+[01]\.\d\d +median \+\d\.\d{3} s +candidate is slower: p = /,
    );
    expect(ab).toMatch(/quality +Welch's t +Hedges' g -\d+\.\d\d +mean -0\.\d{3} +candidate is worse: p = /);
    expect(ab).toMatch(/error ratio +two-proportion z +Cohen's h [+-]\d\.\d\d +[+-]\d+\.\d points +\S/);
  }, 120_000);
});
