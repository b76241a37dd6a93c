import { randomUUID } from 'node:crypto';
import type { Attributes } from '@opentelemetry/api';
import {
  defaultResource,
  detectResources,
  envDetector,
  processDetector,
  type Resource,
  resourceFromAttributes,
} from '@opentelemetry/resources';

// Resource attribute keys of the OpenTelemetry semantic conventions, inlined: the conventions
// package is large, and three stable strings do not need it loaded at start-up.
const ATTR_SERVICE_NAME = 'service.name';
const ATTR_SERVICE_VERSION = 'service.version';
const ATTR_SERVICE_INSTANCE_ID = 'service.instance.id';

/**
 * The resource of register()'s MeterProvider: SDK defaults, then `OTEL_RESOURCE_ATTRIBUTES` and
 * `OTEL_SERVICE_NAME`, then the options. `service.instance.id` is a random UUID unless set, because
 * the collector's Prometheus exporter builds the `instance` label and `target_info` from it.
 */
export function buildResource(options: {
  serviceName?: string | undefined;
  serviceVersion?: string | undefined;
  attributes?: Attributes | undefined;
}): Resource {
  const detected = defaultResource().merge(detectResources({ detectors: [processDetector, envDetector] }));
  const own: Attributes = { ...options.attributes };
  if (options.serviceName !== undefined) own[ATTR_SERVICE_NAME] = options.serviceName;
  if (options.serviceVersion !== undefined) own[ATTR_SERVICE_VERSION] = options.serviceVersion;
  if (detected.attributes[ATTR_SERVICE_INSTANCE_ID] === undefined && own[ATTR_SERVICE_INSTANCE_ID] === undefined)
    own[ATTR_SERVICE_INSTANCE_ID] = randomUUID();
  return detected.merge(resourceFromAttributes(own));
}
