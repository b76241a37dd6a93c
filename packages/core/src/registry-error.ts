/** Thrown by the model registry for invalid registrations and saved registries; the message names the field. */
export class ModelRegistryError extends Error {
  override name = 'ModelRegistryError';
}
