import { useMutation } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useId, useState } from "react";

import { modelWrites } from "../api/model-writes.js";
import type { ModelDetail, ModelInput, PredictAnswer } from "../api/types.js";
import { sortedAliases } from "./model-format.js";

/** `alias:production`, `version:3`, or `""` for the model's default. */
function pinOf(choice: string): { alias?: string; version?: number } {
  const [kind, value = ""] = choice.split(":", 2);
  if (kind === "alias") return { alias: value };
  if (kind === "version") return { version: Number(value) };
  return {};
}

const FEATURES_HINT =
  'This model takes features: write them as a JSON object, e.g. {"age": 42, "city": "Lyon"}.';

/** The input as the model takes it: the text itself, or a features record written as JSON. */
function parseInput(text: string, inputType: string): ModelInput {
  if (inputType === "text") return text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(FEATURES_HINT);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error(FEATURES_HINT);
  return parsed as ModelInput;
}

/** The answer: the class, each class's probability as a bar (highest first) and the version that answered. */
function PredictionResult({ answer }: { answer: PredictAnswer }): ReactNode {
  const p = answer.predictions[0];
  if (!p) return null;
  const classes = Object.entries(p.probabilities).sort(([, a], [, b]) => b - a);
  return (
    <div className="prediction" data-version={answer.version}>
      <p>
        {p.label === null ? (
          <>The model has not learned any class yet, so it predicts nothing.</>
        ) : (
          <>
            Prediction <strong className="predicted">{String(p.label)}</strong>
          </>
        )}{" "}
        <span className="muted">· answered by version {answer.version}</span>
      </p>
      {classes.length > 0 && (
        <ul className="proba" aria-label="Probability of each class">
          {classes.map(([label, prob]) => (
            <li key={label} data-class={label} aria-current={String(p.label) === label ? "true" : undefined}>
              <span className="proba-class">{label}</span>
              <span className="proba-bar" aria-hidden="true">
                <span style={{ width: `${Math.max(0, Math.min(1, prob)) * 100}%` }} />
              </span>
              <span className="proba-value">{(prob * 100).toFixed(1)}%</span>
            </li>
          ))}
        </ul>
      )}
      <p className="muted small">
        Prediction id <code className="prediction-id">{p.id}</code>: post its true label to{" "}
        <code>/api/models/{answer.model}/labels</code> to count it in the live accuracy.
      </p>
    </div>
  );
}

/**
 * "Try it": type a text (or a features record) and see what the served model predicts, with the
 * probability of each class and the version that answered. Ctrl+Enter (⌘+Enter) sends it too.
 */
export function TryIt({ model }: { model: ModelDetail }): ReactNode {
  const id = useId();
  const inputType = model.versions[0]?.inputType ?? "text";
  const [text, setText] = useState("");
  const [choice, setChoice] = useState("");
  const predict = useMutation({
    mutationFn: () => modelWrites.predict(model.name, parseInput(text, inputType), pinOf(choice)),
  });
  const send = (): void => {
    if (text.trim() && !predict.isPending) predict.mutate();
  };

  return (
    <section className="card try-it" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Try it</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          send();
        }}
      >
        <label className="field">
          <span>{inputType === "text" ? "Text to classify" : "Features (a JSON object)"}</span>
          <textarea
            value={text}
            rows={3}
            required
            placeholder={inputType === "text" ? "The food was great" : '{"age": 42, "city": "Lyon"}'}
            onChange={(e) => setText(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
                e.preventDefault();
                send();
              }
            }}
          />
        </label>
        <div className="try-row">
          <label className="field">
            <span>Answer from</span>
            <select value={choice} onChange={(e) => setChoice(e.target.value)}>
              <option value="">
                Default ({model.aliases.production !== undefined ? "production" : "latest"})
              </option>
              {sortedAliases(model.aliases).map(([alias, version]) => (
                <option key={alias} value={`alias:${alias}`}>
                  {alias} (v{version})
                </option>
              ))}
              {model.versions.map((v) => (
                <option key={v.version} value={`version:${v.version}`}>
                  version {v.version}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" className="primary" disabled={!text.trim() || predict.isPending}>
            {predict.isPending ? "Predicting…" : "Predict"}
          </button>
        </div>
      </form>
      <div aria-live="polite">
        {predict.error && (
          <p className="error" role="alert">
            {predict.error.message}
          </p>
        )}
        {predict.data && !predict.error && <PredictionResult answer={predict.data} />}
      </div>
    </section>
  );
}
