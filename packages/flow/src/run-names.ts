/** Readable default run names (`mindful-quetzal`) and `runName` templates. */

const ADJECTIVES: readonly string[] = (
  "agile amber ancient arctic bold brave bright brisk calm candid cheerful clever cosmic crimson " +
  "curious daring dapper eager electric elegant emerald fearless fiery gentle giddy golden " +
  "graceful happy hidden humble icy jolly keen kind lively lucky lunar majestic mellow mighty " +
  "mindful misty modest nimble noble opal patient peaceful plucky polite proud quick quiet radiant " +
  "rapid robust rustic scarlet serene shiny silent silver smart snowy solar spry steady stellar " +
  "sunny swift tidy tranquil valiant vivid warm wise witty zealous zesty"
).split(" ");

const ANIMALS: readonly string[] = (
  "albatross alpaca antelope armadillo axolotl badger beaver bison bobcat capybara caribou " +
  "chameleon cheetah condor cormorant coyote crane dingo dolphin dormouse eagle echidna falcon " +
  "ferret flamingo gazelle gecko gibbon heron hedgehog ibis iguana jackal jaguar kestrel kiwi " +
  "koala lemur lynx macaw manatee marmot meerkat mongoose narwhal ocelot okapi orca otter owl " +
  "pangolin panther pelican penguin puffin quail quetzal quokka raccoon raven salamander seal " +
  "sparrow stork tapir tern toucan turtle walrus wallaby weasel wombat yak zebra"
).split(" ");

function pick<T>(list: readonly T[]): T {
  return list[Math.floor(Math.random() * list.length)] as T;
}

/**
 * A random readable name: adjective-animal.
 * @example
 * randomRunName(); // "mindful-quetzal"
 */
export function randomRunName(): string {
  return `${pick(ADJECTIVES)}-${pick(ANIMALS)}`;
}

/** What a `runName` function receives besides the parameters. */
export interface RunNameInfo {
  flowName: string;
  runId: string;
}

/** A run name template (`"{flowName}-{date}"`) or a function of the parameters. */
export type RunNameOption<P> = string | ((params: P, info: RunNameInfo) => string);

/**
 * Renders a run name. Template placeholders: `{flowName}`, `{date}` (YYYY-MM-DD, UTC), `{time}` (HHMMSS),
 * `{random}` (a readable random name), `{runId}`, and any top-level parameter by name (`{path}`).
 * Unknown placeholders are left as they are.
 * @example
 * renderRunName("{flowName}-{date}", {}, { flowName: "etl", runId }); // "etl-2026-11-26"
 */
export function renderRunName<P>(option: RunNameOption<P> | undefined, params: P, info: RunNameInfo): string {
  if (option === undefined) return randomRunName();
  if (typeof option === "function") return option(params, info);
  const iso = new Date().toISOString();
  const values: Record<string, string> = {
    flowName: info.flowName,
    runId: info.runId,
    date: iso.slice(0, 10),
    time: iso.slice(11, 19).replaceAll(":", ""),
  };
  return option.replace(/\{([A-Za-z0-9_]+)\}/g, (whole, key: string) => {
    if (key === "random") return randomRunName();
    if (key in values) return values[key] as string;
    if (params !== null && typeof params === "object" && key in params) {
      return String((params as Record<string, unknown>)[key]);
    }
    return whole;
  });
}
