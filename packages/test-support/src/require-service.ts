import { ServiceMissingError } from "./errors.js";

/** What a probe found: the value the suite needs, or why it is not there. */
export type ProbeResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/** The outcome handed to a suite: `value` when present, otherwise `skip` says why. */
export interface ServiceHandle<T> {
  /** The service's address or path; `undefined` when the suite must skip. */
  readonly value: T | undefined;
  /** `true` when the service is missing and the suite should be skipped. */
  readonly skip: boolean;
  /** Why the suite is skipped; empty when it runs. */
  readonly reason: string;
}

/** @returns `true` when running under CI (`CI=true` or `CI=1`). */
export function isCI(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CI === "true" || env.CI === "1";
}

/**
 * Runs a probe for a service a suite depends on. On a developer's machine a missing service
 * yields `skip: true` and prints why; under CI it throws {@link ServiceMissingError} so the
 * suite fails loudly instead.
 *
 * @example
 * const pg = await requireService("PostgreSQL", probePostgres);
 * describe.skipIf(pg.skip)("storage on PostgreSQL", () => { ... });
 */
export async function requireService<T>(
  service: string,
  probe: () => Promise<ProbeResult<T>>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ServiceHandle<T>> {
  let result: ProbeResult<T>;
  try {
    result = await probe();
  } catch (error) {
    result = { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
  if (result.ok) return { value: result.value, skip: false, reason: "" };
  if (isCI(env)) throw new ServiceMissingError(service, result.reason);
  console.warn(`[weir tests] skipping: ${service} is not available (${result.reason}).`);
  return { value: undefined, skip: true, reason: result.reason };
}
