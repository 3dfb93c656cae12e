import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useId, useLayoutEffect, useRef, useState } from "react";

import { modelWrites } from "../api/model-writes.js";
import { queryKeys } from "../api/query-keys.js";
import type { ModelDetail } from "../api/types.js";

/** The alias a version is promoted to unless the user names another. */
const SUGGESTED_ALIAS = "production";

/** What pointing `alias` at `version` does, in words, given where it points now. */
function describeMove(alias: string, version: number, current: number | undefined) {
  if (current === undefined)
    return { verb: "Promote", text: `${alias} does not exist yet: it will point at version ${version}.` };
  if (current === version) return { verb: "Promote", text: `${alias} already points at version ${version}.` };
  const verb = version < current ? "Roll back" : "Promote";
  return { verb, text: `${alias} points at version ${current} now; it will point at version ${version}.` };
}

/**
 * The confirmation of a promote or roll back: which alias to move (`production` unless another is
 * named), where it points now and where it will point. The server's answer is reported through
 * `onDone`; a refusal stays in the dialog. A modal `<dialog>`: focus stays inside, Escape cancels,
 * and focus goes back to the button that opened it.
 */
export function PromoteDialog({
  model,
  version,
  onClose,
  onDone,
}: {
  model: ModelDetail;
  version: number;
  onClose: () => void;
  onDone: (message: string) => void;
}): ReactNode {
  const dialog = useRef<HTMLDialogElement>(null);
  const client = useQueryClient();
  const id = useId();
  const [alias, setAlias] = useState(SUGGESTED_ALIAS);
  const name = alias.trim();
  const current = model.aliases[name];
  const follows = model.followLatest.includes(name);
  const move = describeMove(name, version, current);
  const save = useMutation({
    mutationFn: () => modelWrites.setAlias(model.name, name, version),
    onSuccess: async (answer) => {
      await client.invalidateQueries({ queryKey: queryKeys.models() });
      const was = current === undefined || current === answer.version ? "" : ` (was version ${current})`;
      onDone(`${answer.alias} now points at version ${answer.version}${was}.`);
    },
  });

  useLayoutEffect(() => {
    const el = dialog.current;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    el?.showModal();
    return () => {
      el?.close();
      opener?.focus();
    };
  }, []);

  const aliasOptions = Object.keys(model.aliases).filter((a) => a !== "latest");
  return (
    <dialog
      ref={dialog}
      className="confirm-dialog"
      aria-labelledby={`${id}-h`}
      aria-describedby={`${id}-what`}
      onCancel={(e) => {
        e.preventDefault();
        if (!save.isPending) onClose();
      }}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (name && current !== version) save.mutate();
        }}
      >
        <h2 id={`${id}-h`}>
          {move.verb} {model.name} version {version}
        </h2>
        <label className="field">
          <span>Alias</span>
          <input
            value={alias}
            list={`${id}-aliases`}
            required
            autoFocus
            autoComplete="off"
            spellCheck={false}
            onChange={(e) => {
              setAlias(e.target.value);
              save.reset();
            }}
          />
          <datalist id={`${id}-aliases`}>
            {aliasOptions.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
        </label>
        <p id={`${id}-what`}>
          {name ? move.text : "Name the alias to move."}
          {follows &&
            current !== version &&
            ` It follows the newest version now; it will stay at version ${version}.`}
        </p>
        <p className="muted small">
          {name === SUGGESTED_ALIAS
            ? "Predictions that pin no version or alias are answered by production's version, "
            : `Predictions pinned to ${name || "the alias"} are answered by its version, `}
          from the next request on.
        </p>
        {save.error && (
          <p className="error" role="alert">
            {save.error.message}
          </p>
        )}
        <div className="confirm-actions">
          <button type="submit" className="primary" disabled={!name || current === version || save.isPending}>
            {save.isPending ? "Saving…" : `${move.verb} to version ${version}`}
          </button>
          <button type="button" onClick={onClose} disabled={save.isPending}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}
