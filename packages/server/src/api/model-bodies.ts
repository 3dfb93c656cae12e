import { MODEL_BATCH_MAX, labelsBodySchema, setModelAliasSchema } from "@weir/protocol";
import type { ModelLabel, SetModelAlias } from "@weir/protocol";
import type { z } from "zod";

import { WeirHttpError } from "../errors.js";

function invalid(message: string): WeirHttpError {
  return new WeirHttpError(400, "WEIR_VALIDATION", message);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Parses with one branch of a union, so that the message names the field at fault (not "invalid input"). */
function parseWith<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => {
    const path = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
    return `body${path}: ${issue.message}`;
  });
  const shown = issues.slice(0, 5).join("; ") + (issues.length > 5 ? `; and ${issues.length - 5} more` : "");
  throw invalid(`Invalid request: ${shown}.`);
}

/**
 * The inputs of a predict body, `{ input }` or `{ inputs: [1–10,000] }`, checked by hand: this is
 * the hot path, and the messages say what to send. (Each input is checked against the model's
 * input type once the model is known.)
 */
export function readPredictInputs(body: unknown): { inputs: readonly unknown[]; batch: boolean } {
  if (!isObject(body))
    throw invalid('The body must be a JSON object: { "input": <text or features> } or { "inputs": [ … ] }.');
  let keys = 0;
  for (const key in body) {
    if (key !== "input" && key !== "inputs")
      throw invalid(
        `body.${key} is not a field of a predict call: send { "input": … } or { "inputs": [ … ] }.`,
      );
    keys++;
  }
  if (keys !== 1)
    throw invalid('Send exactly one of "input" (one input) and "inputs" (a batch) in the body.');
  if ("input" in body) return { inputs: [body.input], batch: false };
  const inputs = body.inputs;
  if (!Array.isArray(inputs)) throw invalid("body.inputs must be an array of inputs (a batch).");
  if (inputs.length === 0)
    throw invalid(`body.inputs is empty: send 1 to ${MODEL_BATCH_MAX} inputs, or { "input": … } for one.`);
  if (inputs.length > MODEL_BATCH_MAX)
    throw invalid(
      `body.inputs holds ${inputs.length} inputs; one call takes up to ${MODEL_BATCH_MAX}: split the batch.`,
    );
  return { inputs, batch: true };
}

const [singleLabel, labelBatch] = labelsBodySchema.options;

/** The labels of a labels body, `{ id, label }` or `{ labels: [ … ] }`. */
export function readLabels(body: unknown): { id: string; label: ModelLabel }[] {
  if (isObject(body) && "labels" in body) return parseWith(labelBatch, body).labels;
  return [parseWith(singleLabel, body)];
}

const [pinAlias, followAlias] = setModelAliasSchema.options;

/** An alias body, `{ version: n }` or `{ followLatest: true }`. */
export function readAliasBody(body: unknown): SetModelAlias {
  if (isObject(body) && "followLatest" in body) return parseWith(followAlias, body);
  return parseWith(pinAlias, body);
}
