import type { ReactNode } from "react";
import { useEffect, useRef, useState } from "react";

import type { Deployment, Run } from "../api/types.js";
import { Link } from "../router.js";
import { ParametersForm } from "./parameters-form.js";

/**
 * A deployment's "Run" button: opens its parameters form in a modal dialog; once the server has
 * created the run, says so with a link to it (the run also appears in the deployment's last runs).
 */
export function RunDeploymentButton({ deployment }: { deployment: Deployment }): ReactNode {
  const dialog = useRef<HTMLDialogElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const [open, setOpen] = useState(false);
  const [started, setStarted] = useState<Run | null>(null);

  useEffect(() => {
    const el = dialog.current;
    if (!el) return;
    if (open && !el.open) el.showModal();
    if (!open && el.open) el.close();
  }, [open]);

  const close = (): void => {
    setOpen(false);
    opener.current?.focus();
  };

  return (
    <span className="run-now">
      <button
        ref={opener}
        type="button"
        className="primary"
        aria-label={`Run ${deployment.name}`}
        aria-haspopup="dialog"
        onClick={() => {
          setStarted(null);
          setOpen(true);
        }}
      >
        Run
      </button>
      {started && (
        <span className="run-started small" role="status">
          Started <Link to={`#/runs/${started.id}`}>{started.name}</Link>
        </span>
      )}
      <dialog
        ref={dialog}
        className="run-dialog"
        aria-labelledby={`run-h-${deployment.id}`}
        onCancel={(e) => {
          e.preventDefault();
          close();
        }}
      >
        <h2 id={`run-h-${deployment.id}`}>Run {deployment.name}</h2>
        <p className="muted small">
          {deployment.flowName} · pool {deployment.workPool}
        </p>
        {open && (
          <ParametersForm
            deployment={deployment}
            onCancel={close}
            onStarted={(run) => {
              setStarted(run);
              close();
            }}
          />
        )}
      </dialog>
    </span>
  );
}
