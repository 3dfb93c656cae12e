import { withQuery } from "./client.js";
import type { ModelAlias, ModelInput, PredictAnswer } from "./types.js";
import { sendJson } from "./writes.js";

const enc = encodeURIComponent;

/**
 * The model calls the dashboard makes that go through the server's write check: setting an alias
 * (promote, roll back) and a prediction from the "Try it" box (a `POST`, so it needs the API key
 * unless the server serves models publicly).
 * @example await modelWrites.setAlias("yelp-sentiment", "production", 3);
 */
export const modelWrites = {
  /** Points an alias at a version: promote, or roll back to an older one. */
  setAlias: (name: string, alias: string, version: number): Promise<ModelAlias> =>
    sendJson<ModelAlias>("PUT", `/api/models/${enc(name)}/aliases/${enc(alias)}`, { version }),
  /** One prediction, from the model's default alias or the pinned version or alias. */
  predict: (
    name: string,
    input: ModelInput,
    pin: { version?: number; alias?: string },
  ): Promise<PredictAnswer> =>
    sendJson<PredictAnswer>("POST", withQuery(`/api/models/${enc(name)}/predict`, pin), { input }),
};
