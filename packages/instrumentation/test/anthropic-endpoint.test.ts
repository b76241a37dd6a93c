import { getModelEndpoints } from '@llm-otel/core';
import { describe, expect, it } from 'vitest';
import { clientEndpoint } from '../src/anthropic/client-endpoint.js';

/**
 * Which provider and server an Anthropic call is attributed to, from the client behind the
 * messages resource (`this._client`): clients built here stand in for the cloud clients
 * (`@anthropic-ai/bedrock-sdk`, `@anthropic-ai/vertex-sdk`), which reuse the same resource class.
 */
function resourceOf(className: string, baseURL: string): unknown {
  const Client = { [className]: class {} }[className] as new () => object;
  return { _client: Object.assign(new Client(), { baseURL }) };
}

describe('the endpoint of an Anthropic call', () => {
  it.each([
    ['Anthropic', 'https://api.anthropic.com', 'anthropic', 'api.anthropic.com', 443],
    [
      'AnthropicBedrock',
      'https://bedrock-runtime.us-east-1.amazonaws.com',
      'aws.bedrock',
      'bedrock-runtime.us-east-1.amazonaws.com',
      443,
    ],
    [
      'AnthropicVertex',
      'https://us-east5-aiplatform.googleapis.com/v1',
      'gcp.vertex_ai',
      'us-east5-aiplatform.googleapis.com',
      443,
    ],
    ['Anthropic', 'http://127.0.0.1:8080', 'anthropic', '127.0.0.1', 8080],
  ])('%s at %s: %s, %s:%i', (className, baseURL, provider, serverAddress, serverPort) => {
    expect(clientEndpoint(resourceOf(className, baseURL), {})).toMatchObject({ provider, serverAddress, serverPort });
  });

  it('providerName wins; a resource without a client gets no server attributes', () => {
    const resource = resourceOf('AnthropicBedrock', 'https://bedrock-runtime.us-east-1.amazonaws.com');
    expect(clientEndpoint(resource, { providerName: 'gateway' }).provider).toBe('gateway');
    expect(clientEndpoint({}, {})).toMatchObject({ provider: 'anthropic', serverAddress: undefined });
  });

  it("adds the endpoint of Anthropic's own API to core's list for the health probe, not the clouds' ones", () => {
    clientEndpoint(resourceOf('Anthropic', 'http://127.0.0.1:9301'), {});
    clientEndpoint(resourceOf('Anthropic', 'http://127.0.0.1:9302'), { providerName: 'gateway' });
    clientEndpoint(resourceOf('AnthropicBedrock', 'http://127.0.0.1:9303'), {});
    clientEndpoint(resourceOf('AnthropicVertex', 'http://127.0.0.1:9304/v1'), {});
    const added = getModelEndpoints()
      .list()
      .filter((e) => e.baseUrl.startsWith('http://127.0.0.1:93'));
    expect(added).toEqual([
      { provider: 'anthropic', baseUrl: 'http://127.0.0.1:9301', api: 'anthropic' },
      { provider: 'gateway', baseUrl: 'http://127.0.0.1:9302', api: 'anthropic' },
    ]);
  });
});
