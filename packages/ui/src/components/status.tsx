import type { ReactNode } from "react";

/** A load error, said plainly, with a retry button. */
export function ErrorNote({
  error,
  retry,
}: {
  error: Error | null | undefined;
  retry?: () => void;
}): ReactNode {
  if (!error) return null;
  return (
    <div className="error" role="alert">
      <strong>Could not load:</strong> {error.message}{" "}
      {retry && (
        <button type="button" onClick={retry}>
          Retry
        </button>
      )}
    </div>
  );
}

export function Loading({ what }: { what: string }): ReactNode {
  return (
    <p className="muted" role="status">
      Loading {what}…
    </p>
  );
}
