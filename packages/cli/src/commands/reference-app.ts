import type * as YelpApp from "@weir/example-yelp-sentiment";

/** The package of the reference application: optional, so that `weir` installs without it. */
export const REFERENCE_APP = "@weir/example-yelp-sentiment";

/**
 * Loads the reference application for `weir demo` and `weir example yelp …`, when a component
 * runs (other commands never load it). It is an optional peer of the CLI: a `weir` installed
 * without it says how to add it instead of failing with a bare module error.
 *
 * @example const { SAMPLE_DATA } = await referenceApp();
 */
export async function referenceApp(): Promise<typeof YelpApp> {
  try {
    return await import("@weir/example-yelp-sentiment");
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const missing =
      (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") &&
      String((error as Error).message).includes(REFERENCE_APP);
    if (!missing) throw error;
    throw new Error(
      `the reference application is not installed: run \`npm install ${REFERENCE_APP}\` beside weir, then try again.`,
      { cause: error },
    );
  }
}
