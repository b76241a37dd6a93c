import { diag } from '@opentelemetry/api';
import { MlflowError } from './errors.js';

/**
 * Whether MLflow answered the last request of a background loop, with the one-warning-per-outage
 * rule the loops share: the first transient failure (MLflow down, timeout, 5xx) says what is dropped
 * meanwhile; the first success after it says MLflow is back. A refusal (4xx) proves MLflow is up.
 */
export class Reachability {
  private state: boolean | undefined;
  private error: string | undefined;
  private outageReported = false;

  /**
   * @param dropped what the loop drops while MLflow is down, for the warning (`variant metrics`).
   * @param baseUrl MLflow's address, for the "reachable again" message.
   */
  constructor(
    private readonly dropped: string,
    private readonly baseUrl: string,
  ) {}

  /** Whether the last request reached MLflow; undefined before the first. */
  get reachable(): boolean | undefined {
    return this.state;
  }

  /** The last failure's message (MLflow's own text; never credentials). */
  get lastError(): string | undefined {
    return this.error;
  }

  /** Whether an outage has been reported and not yet ended by a success. */
  get inOutage(): boolean {
    return this.outageReported;
  }

  /** Records a request that reached MLflow. */
  succeeded(): void {
    if (this.state === false) diag.info(`@llm-otel/mlflow: MLflow at ${this.baseUrl} is reachable again`);
    this.state = true;
    this.outageReported = false;
  }

  /**
   * Records a failed request. Returns true when it was transient (MLflow down: reported once per
   * outage); false for a refusal or a local error, which the caller reports as it sees fit.
   */
  failed(error: unknown): boolean {
    this.error = error instanceof Error ? error.message : String(error);
    if (error instanceof MlflowError && error.transient) {
      this.state = false;
      if (!this.outageReported) {
        this.outageReported = true;
        diag.warn(
          `@llm-otel/mlflow: MLflow is unreachable (${this.error}); ${this.dropped} are dropped and counted until it is back (reported once per outage)`,
        );
      }
      return true;
    }
    if (error instanceof MlflowError) this.succeeded();
    return false;
  }
}
