/**
 * The AI SDK names a model's provider `<provider>.<api>` (`openai.chat`, `openai.responses`,
 * `anthropic.messages`, `google.generative-ai`, `amazon-bedrock`); the metrics take the GenAI
 * semantic conventions' `gen_ai.provider.name`. Known prefixes map to the conventions' names; an
 * unknown one is kept when it is a short plain name (providers are the app's code, few), else
 * `_OTHER`, so that the label stays bounded.
 */
const KNOWN: Record<string, string> = {
  openai: 'openai',
  anthropic: 'anthropic',
  azure: 'azure.ai.openai',
  'azure-openai': 'azure.ai.openai',
  google: 'gcp.gemini',
  'google.generative-ai': 'gcp.gemini',
  'google.vertex': 'gcp.vertex_ai',
  vertex: 'gcp.vertex_ai',
  'amazon-bedrock': 'aws.bedrock',
  bedrock: 'aws.bedrock',
  mistral: 'mistral_ai',
  xai: 'x_ai',
  deepseek: 'deepseek',
  groq: 'groq',
  cohere: 'cohere',
  perplexity: 'perplexity',
  ollama: 'ollama',
};

const PLAIN = /^[a-z0-9_-]{1,32}$/;

/** `gen_ai.provider.name` for the AI SDK's `model.provider` string. */
export function providerNameOf(aiSdkProvider: unknown): string {
  if (typeof aiSdkProvider !== 'string' || aiSdkProvider.length === 0) return '_OTHER';
  const name = aiSdkProvider.toLowerCase();
  // `google.vertex.chat`: the two-part prefix first, then the first part alone.
  const parts = name.split('.', 3);
  const two = parts.length > 1 ? `${parts[0]}.${parts[1]}` : undefined;
  if (two !== undefined && KNOWN[two] !== undefined) return KNOWN[two];
  const first = parts[0] ?? '';
  const known = KNOWN[first];
  if (known !== undefined) return known;
  return PLAIN.test(first) ? first : '_OTHER';
}
