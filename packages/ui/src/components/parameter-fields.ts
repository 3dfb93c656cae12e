/**
 * A deployment's run parameters as form fields, read from the JSON Schema the server stores for
 * its flow. Only what a form can edit is interpreted (property types, `enum`, `default`,
 * `required`, bounds); whether a value is valid is the server's call (ajv, against the whole schema),
 * and its message is shown next to the field.
 */

/** How a parameter is edited. `json` is the fallback for objects, mixed arrays and unknown types. */
export type FieldKind = "string" | "number" | "integer" | "boolean" | "enum" | "string-list" | "json";

export interface ParameterField {
  name: string;
  kind: FieldKind;
  /** The schema's `title`, else the property name. */
  label: string;
  description?: string;
  required: boolean;
  /** `enum` values, in the schema's order. */
  options?: readonly (string | number | boolean | null)[];
  minimum?: number;
  maximum?: number;
  /** The deployment's default, else the schema's `default`. */
  initial: unknown;
}

/** What the user typed: text for inputs, a flag for checkboxes. */
export type Draft = string | boolean;

type JsonSchema = Record<string, unknown>;

const isObject = (v: unknown): v is JsonSchema => typeof v === "object" && v !== null && !Array.isArray(v);

/** The first non-null `type` of a property (`["number", "null"]` is a nullable number). */
function typeOf(schema: JsonSchema): string | undefined {
  const t = schema.type;
  if (typeof t === "string") return t;
  if (Array.isArray(t)) return t.find((x): x is string => typeof x === "string" && x !== "null");
  return undefined;
}

function kindOf(schema: JsonSchema, value: unknown): FieldKind {
  if (Array.isArray(schema.enum)) return "enum";
  const type = typeOf(schema) ?? (value === undefined || value === null ? undefined : typeof value);
  if (type === "string" || type === "boolean" || type === "number" || type === "integer") return type;
  if (type === "array" || Array.isArray(value)) {
    const items = isObject(schema.items) ? schema.items : {};
    const allStrings = Array.isArray(value) && value.every((v) => typeof v === "string");
    if (typeOf(items) === "string" || (items.type === undefined && allStrings)) return "string-list";
  }
  return "json";
}

const numberOr = (v: unknown): number | undefined => (typeof v === "number" ? v : undefined);

/**
 * The form's fields: the schema's properties in order, then any default parameter the schema does
 * not name (or, without a schema, every default parameter, typed by its value).
 * @example fieldsOf({ type: "object", properties: { threshold: { type: "number" } } }, { threshold: 0.7 });
 */
export function fieldsOf(schema: JsonSchema | null, defaults: Record<string, unknown>): ParameterField[] {
  const properties = isObject(schema?.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema?.required) ? schema.required : []);
  const fields: ParameterField[] = [];
  const names = [...Object.keys(properties), ...Object.keys(defaults).filter((k) => !(k in properties))];
  for (const name of names) {
    const prop = isObject(properties[name]) ? properties[name] : {};
    const initial = name in defaults ? defaults[name] : prop.default;
    fields.push({
      name,
      kind: kindOf(prop, initial),
      label: typeof prop.title === "string" ? prop.title : name,
      description: typeof prop.description === "string" ? prop.description : undefined,
      required: required.has(name),
      options: Array.isArray(prop.enum) ? (prop.enum as ParameterField["options"]) : undefined,
      minimum: numberOr(prop.minimum) ?? numberOr(prop.exclusiveMinimum),
      maximum: numberOr(prop.maximum) ?? numberOr(prop.exclusiveMaximum),
      initial,
    });
  }
  return fields;
}

/** The form's starting text (or flag) for a field. */
export function draftOf(field: ParameterField): Draft {
  const v = field.initial;
  switch (field.kind) {
    case "boolean":
      return v === true;
    case "enum": {
      const at = field.options?.findIndex((o) => o === v) ?? -1;
      return at < 0 ? "" : String(at);
    }
    case "string-list":
      return Array.isArray(v) ? v.join("\n") : "";
    case "json":
      return v === undefined ? "" : JSON.stringify(v, null, 2);
    default:
      if (typeof v === "string" || typeof v === "number") return String(v);
      return v === undefined || v === null ? "" : JSON.stringify(v);
  }
}

/** A field's value to send, `omit` (empty: the deployment's default or the server's verdict applies) or why it cannot be read. */
export type FieldValue = { value: unknown } | { omit: true } | { error: string };

/**
 * Reads what the user entered. Only what cannot be sent as the intended type is refused here
 * (text in a number field, broken JSON); every rule of the schema is checked by the server.
 */
export function valueOf(field: ParameterField, draft: Draft): FieldValue {
  if (typeof draft === "boolean") return { value: draft };
  const text = draft.trim();
  if (field.kind === "string") return draft === "" ? { omit: true } : { value: draft };
  if (text === "") return { omit: true };
  switch (field.kind) {
    case "number":
    case "integer": {
      const n = Number(text);
      return Number.isFinite(n) ? { value: n } : { error: "must be a number" };
    }
    case "enum": {
      const options = field.options ?? [];
      const at = Number(text);
      return at in options ? { value: options[at] } : { error: "must be one of the listed values" };
    }
    case "string-list":
      return {
        value: draft
          .split("\n")
          .map((s) => s.trim())
          .filter(Boolean),
      };
    default:
      try {
        return { value: JSON.parse(text) as unknown };
      } catch {
        return { error: "must be valid JSON" };
      }
  }
}

/** A refusal of the server, placed: on a field (`field`), or on the form as a whole. */
export interface PlacedError {
  field?: string;
  message: string;
}

/** `/threshold`, `parameters.threshold`, `threshold` → `threshold`, when it names one of `names`. */
function fieldName(path: unknown, names: ReadonlySet<string>): string | undefined {
  if (typeof path !== "string") return undefined;
  const first = path
    .replace(/^\/?parameters[./]/, "")
    .replace(/^[/.]/, "")
    .split(/[./[]/)[0];
  return first !== undefined && names.has(first) ? first : undefined;
}

/**
 * Places the server's 400 for a run's parameters: on the fields its `details` name (ajv's
 * `instancePath`, a `field` or `path`, or the property a `required` rule misses), else on the field
 * its message names, else on the form.
 */
export function placeErrors(message: string, details: unknown, names: readonly string[]): PlacedError[] {
  const known = new Set(names);
  const items = Array.isArray(details) ? details : isObject(details) ? (details.errors ?? [details]) : [];
  const placed: PlacedError[] = [];
  for (const item of Array.isArray(items) ? items : []) {
    if (!isObject(item) || typeof item.message !== "string") continue;
    const params = isObject(item.params) ? item.params : {};
    const field =
      fieldName(item.field, known) ??
      fieldName(item.path, known) ??
      fieldName(item.instancePath, known) ??
      fieldName(params.missingProperty, known);
    placed.push({ field, message: item.message });
  }
  if (placed.length > 0) return placed;
  const named = names.find((n) =>
    new RegExp(`(^|[\\s'"\`/.])${n.replace(/\W/g, "\\$&")}(['"\`:\\s]|$)`).test(message),
  );
  return [{ field: named, message }];
}
