import "../deployments.css";

import type { ReactNode } from "react";
import { useEffect, useId, useRef, useState } from "react";

import { useRunDeployment } from "../api/mutations.js";
import type { Deployment, Run } from "../api/types.js";
import { ApiError } from "../errors.js";
import type { Draft, ParameterField, PlacedError } from "./parameter-fields.js";
import { draftOf, fieldsOf, placeErrors, valueOf } from "./parameter-fields.js";

/** One field: a labelled control, its description and the refusal of its value, tied by ARIA. */
function Field(props: {
  field: ParameterField;
  draft: Draft;
  error?: string;
  idBase: string;
  onChange: (draft: Draft) => void;
}): ReactNode {
  const { field: f, draft, error, idBase } = props;
  const id = `${idBase}-${f.name}`;
  const describedBy = [f.description && `${id}-desc`, error && `${id}-err`].filter(Boolean).join(" ");
  const common = {
    id,
    name: f.name,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": describedBy || undefined,
    "aria-required": f.required || undefined,
  };
  const text = typeof draft === "string" ? draft : "";
  let control: ReactNode;
  if (f.kind === "boolean")
    control = (
      <input
        {...common}
        type="checkbox"
        checked={draft === true}
        onChange={(e) => props.onChange(e.target.checked)}
      />
    );
  else if (f.kind === "enum")
    control = (
      <select {...common} value={text} onChange={(e) => props.onChange(e.target.value)}>
        {!f.required || text === "" ? <option value="">(default)</option> : null}
        {f.options?.map((o, i) => (
          <option key={i} value={String(i)}>
            {String(o)}
          </option>
        ))}
      </select>
    );
  else if (f.kind === "string-list" || f.kind === "json")
    control = (
      <textarea
        {...common}
        rows={f.kind === "json" ? 4 : 3}
        value={text}
        spellCheck={false}
        onChange={(e) => props.onChange(e.target.value)}
      />
    );
  else
    control = (
      <input
        {...common}
        type={f.kind === "string" ? "text" : "number"}
        inputMode={f.kind === "integer" ? "numeric" : f.kind === "number" ? "decimal" : undefined}
        step={f.kind === "integer" ? 1 : f.kind === "number" ? "any" : undefined}
        min={f.minimum}
        max={f.maximum}
        value={text}
        onChange={(e) => props.onChange(e.target.value)}
      />
    );
  const hint =
    f.kind === "string-list"
      ? "one value per line"
      : f.kind === "json"
        ? "JSON"
        : f.kind === "integer"
          ? "integer"
          : "";
  return (
    <div className={`param${f.kind === "boolean" ? " param-check" : ""}`} data-param={f.name}>
      <label htmlFor={id}>
        {f.label}
        {f.required && <span aria-hidden="true"> *</span>}
        {hint && <span className="muted small"> ({hint})</span>}
      </label>
      {control}
      {f.description && (
        <p id={`${id}-desc`} className="muted small param-desc">
          {f.description}
        </p>
      )}
      {error && (
        <p id={`${id}-err`} className="field-error" data-testid={`param-error-${f.name}`}>
          {error}
        </p>
      )}
    </div>
  );
}

/**
 * "Run now" for a deployment: a form generated from its flow's parameter schema (strings,
 * numbers, integers, booleans, enums, lists of strings; JSON for the rest), starting from the
 * deployment's defaults. The server validates the merged parameters against the schema; when it
 * refuses them, its message is shown next to the field it names and no run is created.
 * @example <ParametersForm deployment={d} onStarted={(run) => navigate(`#/runs/${run.id}`)} onCancel={close} />
 */
export function ParametersForm(props: {
  deployment: Deployment;
  onStarted: (run: Run) => void;
  onCancel: () => void;
}): ReactNode {
  const { deployment } = props;
  const idBase = useId();
  const [fields] = useState(() => fieldsOf(deployment.parameterSchema, deployment.parameters));
  const [drafts, setDrafts] = useState<Record<string, Draft>>(() =>
    Object.fromEntries(fields.map((f) => [f.name, draftOf(f)])),
  );
  const [errors, setErrors] = useState<PlacedError[]>([]);
  const form = useRef<HTMLFormElement>(null);
  const focusPending = useRef(false);
  const run = useRunDeployment(deployment.name);

  function submit(): void {
    const parameters: Record<string, unknown> = {};
    const refused: PlacedError[] = [];
    for (const f of fields) {
      const read = valueOf(f, drafts[f.name] ?? "");
      if ("error" in read) refused.push({ field: f.name, message: read.error });
      else if ("value" in read) parameters[f.name] = read.value;
    }
    setErrors(refused);
    if (refused.length > 0) return focusFirstError();
    run.mutate(parameters, {
      onSuccess: (created) => props.onStarted(created),
      onError: (error) => {
        const placed =
          error instanceof ApiError && error.status === 400
            ? placeErrors(
                error.message,
                error.details,
                fields.map((f) => f.name),
              )
            : [{ message: error.message }];
        setErrors(placed);
        focusFirstError();
      },
    });
  }

  function focusFirstError(): void {
    focusPending.current = true;
  }
  // Once the refusals are on screen, the focus goes to the first refused field.
  useEffect(() => {
    if (!focusPending.current) return;
    focusPending.current = false;
    form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [errors]);

  const errorOf = (name: string): string | undefined =>
    errors
      .filter((e) => e.field === name)
      .map((e) => e.message)
      .join("; ") || undefined;
  const general = errors.filter((e) => e.field === undefined);

  return (
    <form
      className="params-form"
      ref={form}
      noValidate
      aria-label={`Parameters for a run of ${deployment.name}`}
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      {fields.length === 0 && <p className="muted">This deployment takes no parameters.</p>}
      {fields.map((f) => (
        <Field
          key={f.name}
          field={f}
          idBase={idBase}
          draft={drafts[f.name] ?? ""}
          error={errorOf(f.name)}
          onChange={(d) => setDrafts((old) => ({ ...old, [f.name]: d }))}
        />
      ))}
      {general.map((e, i) => (
        <p key={i} className="error" role="alert">
          {e.message}
        </p>
      ))}
      {errors.length > 0 && general.length === 0 && (
        <p className="sr-only" role="alert">
          The run was not started: {errors.map((e) => `${e.field}: ${e.message}`).join("; ")}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="primary" disabled={run.isPending}>
          {run.isPending ? "Starting…" : "Start run"}
        </button>
        <button type="button" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
