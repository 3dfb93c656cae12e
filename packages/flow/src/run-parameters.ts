import { WeirParameterError } from "./errors.js";
import type { ParameterSchema, RunOptions, StandardParameterSchema } from "./run-options.js";

/**
 * The parameters of a call as the `parameters` schema returns them, or the {@link WeirParameterError} to
 * end it with: a recorded run ends Failed before its first attempt, a detached task throws it. Internal.
 * @example
 * const { params, error } = parseParameters(options, input);
 */
export function parseParameters<P>(
  options: RunOptions<P>,
  input: P,
): { params: P; error?: WeirParameterError } {
  const schema = options.parameters;
  if (schema === undefined) return { params: input };
  try {
    return { params: "parse" in schema ? schema.parse(input) : validateStandard(schema, input) };
  } catch (cause) {
    return { params: input, error: new WeirParameterError(options.name, cause) };
  }
}

function validateStandard<P>(schema: StandardParameterSchema<P>, input: unknown): P {
  const result = schema["~standard"].validate(input);
  if (result instanceof Promise) {
    throw new Error("its schema validates asynchronously; use a schema that validates synchronously");
  }
  if (result.issues === undefined) return result.value;
  throw new Error(
    result.issues
      .map(({ message, path }) => {
        const where = (path ?? []).map((p) =>
          String(typeof p === "object" && p !== null && "key" in p ? p.key : p),
        );
        return where.length === 0 ? message : `${where.join(".")}: ${message}`;
      })
      .join("; "),
  );
}

/**
 * The JSON Schema of a flow's parameters (draft-07), when its schema implements Standard JSON Schema
 * (zod 4 does); `undefined` when it has none or cannot convert itself. Internal.
 * @example
 * parametersJsonSchema(z.object({ threshold: z.number() })); // { type: "object", properties: … }
 */
export function parametersJsonSchema(
  schema: ParameterSchema<unknown> | undefined,
): Record<string, unknown> | undefined {
  if (schema === undefined || !("~standard" in schema)) return undefined;
  const convert = schema["~standard"].jsonSchema;
  if (convert === undefined) return undefined;
  try {
    return convert.input({ target: "draft-07" });
  } catch {
    return undefined;
  }
}
