import Anthropic from '@anthropic-ai/sdk';
import { Ollama } from 'ollama';
import OpenAI from 'openai';

/** The LLM operations the service offers, each one call through the official client. */
export const OPERATIONS = [
  'openai.chat',
  'openai.chat.stream',
  'openai.completions',
  'openai.embeddings',
  'openai.responses',
  'openai.responses.stream',
  'ollama.chat',
  'ollama.chat.stream',
  'ollama.generate',
  'ollama.generate.stream',
  'ollama.embed',
  'anthropic.messages',
  'anthropic.messages.stream',
] as const;

export type Operation = (typeof OPERATIONS)[number];

/**
 * Clients configured from the usual variables: `OPENAI_BASE_URL`, `OPENAI_API_KEY`, `OLLAMA_HOST`,
 * `ANTHROPIC_BASE_URL`, `ANTHROPIC_API_KEY`. No retries: one request per call, so the model's
 * answers and the calls measured can be compared one to one.
 */
export function createClients(env: NodeJS.ProcessEnv = process.env) {
  return {
    openai: new OpenAI({
      baseURL: env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1',
      apiKey: env.OPENAI_API_KEY ?? 'sk-local-simulator',
      maxRetries: 0,
    }),
    ollama: new Ollama({ host: env.OLLAMA_HOST ?? 'http://127.0.0.1:11434' }),
    anthropic: new Anthropic({
      baseURL: env.ANTHROPIC_BASE_URL ?? 'https://api.anthropic.com',
      apiKey: env.ANTHROPIC_API_KEY ?? 'sk-ant-local-simulator',
      maxRetries: 0,
    }),
  };
}

export type Clients = ReturnType<typeof createClients>;

/** Answer length of the Anthropic calls (the API requires one). */
const MAX_TOKENS = 1024;

/**
 * The service's instructions to Claude, marked for Anthropic's prompt cache: the first call writes
 * them to the cache (`cache_creation_input_tokens`), calls with the same prompt read them back.
 */
const SYSTEM: Anthropic.TextBlockParam[] = [
  { type: 'text', text: 'You write short, plain summaries.', cache_control: { type: 'ephemeral' } },
];

/** Runs one operation and returns the answer's text (or a summary of it). */
export async function runOperation(clients: Clients, op: Operation, model: string, prompt: string): Promise<string> {
  const { openai, ollama, anthropic } = clients;
  switch (op) {
    case 'openai.chat': {
      const r = await openai.chat.completions.create({ model, messages: [{ role: 'user', content: prompt }] });
      return r.choices[0]?.message.content ?? '';
    }
    case 'openai.chat.stream': {
      const stream = await openai.chat.completions.create({
        model,
        messages: [{ role: 'user', content: prompt }],
        stream: true,
        // A local OpenAI-compatible server: the instrumentation asks for usage only from known hosts.
        stream_options: { include_usage: true },
      });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      return text;
    }
    case 'openai.completions': {
      const r = await openai.completions.create({ model, prompt });
      return r.choices[0]?.text ?? '';
    }
    case 'openai.embeddings': {
      const r = await openai.embeddings.create({ model, input: prompt });
      return `${r.data[0]?.embedding.length ?? 0} dimensions`;
    }
    case 'openai.responses': {
      const r = await openai.responses.create({ model, input: prompt });
      return r.output_text;
    }
    case 'openai.responses.stream': {
      const stream = await openai.responses.create({ model, input: prompt, stream: true });
      let text = '';
      for await (const event of stream) if (event.type === 'response.output_text.delta') text += event.delta;
      return text;
    }
    case 'ollama.chat': {
      const r = await ollama.chat({ model, messages: [{ role: 'user', content: prompt }] });
      return r.message.content ?? '';
    }
    case 'ollama.chat.stream': {
      const stream = await ollama.chat({ model, messages: [{ role: 'user', content: prompt }], stream: true });
      let text = '';
      for await (const part of stream) text += part.message.content;
      return text;
    }
    case 'ollama.generate': {
      const r = await ollama.generate({ model, prompt });
      return r.response ?? '';
    }
    case 'ollama.generate.stream': {
      const stream = await ollama.generate({ model, prompt, stream: true });
      let text = '';
      for await (const part of stream) text += part.response;
      return text;
    }
    case 'ollama.embed': {
      const r = await ollama.embed({ model, input: prompt });
      return `${r.embeddings[0]?.length ?? 0} dimensions`;
    }
    case 'anthropic.messages': {
      const r = await anthropic.messages.create({
        model,
        max_tokens: MAX_TOKENS,
        system: SYSTEM,
        messages: [{ role: 'user', content: prompt }],
      });
      return r.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
    }
    case 'anthropic.messages.stream': {
      // The SDK's stream helper: text events as they come, then the assembled message.
      const stream = anthropic.messages.stream({
        model,
        max_tokens: MAX_TOKENS,
        system: SYSTEM,
        messages: [{ role: 'user', content: prompt }],
      });
      let text = '';
      stream.on('text', (delta) => {
        text += delta;
      });
      await stream.finalMessage();
      return text;
    }
  }
}
