/**
 * The `gen_ai.provider.name` of an OpenAI-client call, told by the host of the client's base URL:
 * the `openai` client talks to OpenAI, to Azure OpenAI and to any OpenAI-compatible server (Ollama's
 * `/v1`, vLLM, LM Studio, LiteLLM, ...), and only the host says which.
 *
 * - `openai` only for OpenAI's own API host (`api.openai.com` and its regional `*.api.openai.com`);
 * - `azure.ai.openai` for Azure hosts (`*.openai.azure.com`, `*.cognitiveservices.azure.com`,
 *   `*.services.ai.azure.com`, `*.azure-api.net`) and for the `AzureOpenAI` client whatever its host;
 * - the semantic-convention name of a few other providers that serve the OpenAI API
 *   (DeepSeek, Groq, Mistral, xAI, Perplexity, Gemini's OpenAI endpoint);
 * - `openai_compatible` for every other host (a local Ollama or vLLM, a proxy, a gateway).
 */
export const OPENAI_COMPATIBLE = 'openai_compatible';

const HOST_PROVIDERS: ReadonlyArray<readonly [string, string]> = [
  ['api.openai.com', 'openai'],
  ['openai.azure.com', 'azure.ai.openai'],
  ['cognitiveservices.azure.com', 'azure.ai.openai'],
  ['services.ai.azure.com', 'azure.ai.openai'],
  ['azure-api.net', 'azure.ai.openai'],
  ['api.deepseek.com', 'deepseek'],
  ['api.groq.com', 'groq'],
  ['api.mistral.ai', 'mistral_ai'],
  ['api.x.ai', 'x_ai'],
  ['api.perplexity.ai', 'perplexity'],
  ['generativelanguage.googleapis.com', 'gcp.gemini'],
];

/** The provider name for a host, following the rule above. */
export function providerForHost(host: string | undefined, azureClient = false): string {
  if (azureClient) return 'azure.ai.openai';
  if (host === undefined) return OPENAI_COMPATIBLE;
  for (const [suffix, provider] of HOST_PROVIDERS) {
    if (host === suffix || host.endsWith(`.${suffix}`)) return provider;
  }
  return OPENAI_COMPATIBLE;
}
