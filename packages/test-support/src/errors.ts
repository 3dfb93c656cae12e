/**
 * Thrown under `CI=true` when a suite needs a service that is not there, so that CI can never
 * go green by skipping.
 */
export class ServiceMissingError extends Error {
  override readonly name = "ServiceMissingError";
  readonly code = "WEIR_TEST_SERVICE_MISSING";

  constructor(service: string, reason: string, options?: { cause?: unknown }) {
    super(
      `${service} is required by this suite but is not available: ${reason}. ` +
        `CI=true forbids skipping; start ${service} (see .ci/run) or unset CI to skip locally.`,
      options,
    );
  }
}
