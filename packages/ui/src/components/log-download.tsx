import type { ReactNode } from "react";
import { useRef, useState } from "react";

import { apiError, withQuery } from "../api/client.js";
import type { LogFilters } from "../api/query-keys.js";

/** How often, at most, the progress is redrawn while a download streams in. */
const PROGRESS_MS = 100;

interface Progress {
  lines: number;
  /** Lines the server said it is sending (`X-Weir-Line-Count`), if it said. */
  total: number | null;
}

/**
 * Streams `GET /api/runs/:id/logs/download` into a file, with progress. Each chunk becomes a Blob
 * as it arrives, so the text is held by the browser's blob store rather than the page's heap, and
 * the page never builds the file as one string.
 */
async function streamToFile(
  path: string,
  fileName: string,
  signal: AbortSignal,
  onProgress: (p: Progress) => void,
): Promise<void> {
  const res = await fetch(path, { signal });
  if (!res.ok || !res.body) throw await apiError(res, path);
  const header = res.headers.get("x-weir-line-count");
  const progress: Progress = { lines: 0, total: header === null ? null : Number(header) };
  onProgress({ ...progress });
  const parts: Blob[] = [];
  const reader = res.body.getReader();
  let shownAt = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(new Blob([value]));
    for (let i = value.indexOf(10); i !== -1; i = value.indexOf(10, i + 1)) progress.lines++;
    if (Date.now() - shownAt > PROGRESS_MS) {
      shownAt = Date.now();
      onProgress({ ...progress });
    }
  }
  onProgress({ ...progress });
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob(parts, { type: "text/plain" }));
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/** The Logs tab's Download button: the lines matching the filters as a text file, with progress and Cancel. */
export function LogDownload({
  runId,
  filters,
  fileName,
}: {
  runId: string;
  filters: LogFilters;
  fileName: string;
}): ReactNode {
  const [progress, setProgress] = useState<Progress | null>(null);
  const [error, setError] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);

  async function start(): Promise<void> {
    const controller = new AbortController();
    abort.current = controller;
    setError(null);
    setProgress({ lines: 0, total: null });
    const path = withQuery(`/api/runs/${encodeURIComponent(runId)}/logs/download`, {
      level: filters.level,
      q: filters.q,
      taskRunId: filters.taskRunId,
    });
    try {
      await streamToFile(path, fileName, controller.signal, setProgress);
    } catch (e) {
      if (!controller.signal.aborted) setError(e instanceof Error ? e.message : String(e));
    } finally {
      abort.current = null;
      setProgress(null);
    }
  }

  if (progress === null)
    return (
      <span className="log-download">
        <button type="button" onClick={() => void start()}>
          Download
        </button>
        {error && (
          <span className="error-text small" role="alert">
            Download failed: {error}
          </span>
        )}
      </span>
    );
  const { lines, total } = progress;
  const share = total === null ? null : total === 0 ? 1 : Math.min(1, lines / total);
  return (
    <span className="log-download" role="status" data-testid="download-progress">
      <progress
        max={1}
        value={share ?? undefined}
        aria-label="Download progress"
        data-lines={lines}
        data-total={total ?? ""}
      />
      <span className="small">
        {share === null
          ? "Preparing…"
          : `${Math.floor(share * 100)}% · ${lines.toLocaleString()} of ${total!.toLocaleString()} lines`}
      </span>
      <button type="button" onClick={() => abort.current?.abort()}>
        Cancel
      </button>
    </span>
  );
}
