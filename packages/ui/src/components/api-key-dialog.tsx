import "../deployments.css";

import type { ReactNode } from "react";
import { useEffect, useRef, useState } from "react";

import { useKeyRequest } from "../api/api-key.js";

/**
 * The API key prompt: a modal dialog opened when the server refused a write for want of the key
 * (see `sendJson`). Mounted once by the app shell. Escape or Cancel gives up the write.
 */
export function ApiKeyDialog(): ReactNode {
  const request = useKeyRequest();
  const dialog = useRef<HTMLDialogElement>(null);
  const [key, setKey] = useState("");
  const [remember, setRemember] = useState(false);

  useEffect(() => {
    const el = dialog.current;
    if (!el) return;
    if (request && !el.open) el.showModal();
    if (!request && el.open) el.close();
  }, [request]);

  return (
    <dialog
      ref={dialog}
      className="key-dialog"
      aria-labelledby="key-dialog-h"
      onCancel={(e) => {
        e.preventDefault();
        request?.answer(null);
      }}
    >
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          if (!key.trim()) return;
          request?.answer(key.trim(), remember);
          setKey("");
        }}
      >
        <h2 id="key-dialog-h">API key needed</h2>
        <p className="muted small" role="alert">
          {request?.reason}
        </p>
        <label className="field">
          <span>API key</span>
          <input
            type="password"
            autoComplete="current-password"
            value={key}
            required
            autoFocus
            onChange={(e) => setKey(e.target.value)}
          />
        </label>
        <label className="check">
          <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.target.checked)} />
          Remember on this browser
        </label>
        <div className="form-actions">
          <button type="submit" className="primary">
            Send
          </button>
          <button type="button" onClick={() => request?.answer(null)}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}
