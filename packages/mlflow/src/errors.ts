/** What an MLflow request failed with. */
export class MlflowError extends Error {
  override readonly name = 'MlflowError';
  /**
   * @param status HTTP status, or 0 when no response came (connection refused, timeout).
   * @param errorCode MLflow's `error_code` (e.g. `RESOURCE_DOES_NOT_EXIST`), or `UNREACHABLE` /
   *   `TIMEOUT` / `BAD_RESPONSE` for failures without one.
   * @param endpoint The method and path called, e.g. `POST registered-models/create`.
   */
  constructor(
    readonly status: number,
    readonly errorCode: string,
    readonly endpoint: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`MLflow ${endpoint}: ${status === 0 ? '' : `HTTP ${status} `}${errorCode}: ${detail}`, options);
  }

  /** Whether trying again later may succeed: no response, a timeout, 429 or a server error. */
  get transient(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

/** The error codes MLflow answers for a missing model, version or alias. */
export function isNotFound(error: unknown): boolean {
  return (
    error instanceof MlflowError &&
    (error.errorCode === 'RESOURCE_DOES_NOT_EXIST' ||
      // An unknown alias is INVALID_PARAMETER_VALUE with a 400 in MLflow 3.
      (error.errorCode === 'INVALID_PARAMETER_VALUE' &&
        error.message.includes('alias') &&
        error.message.includes('not found')))
  );
}
