import { Suspense, lazy } from "react";
import type { ReactNode } from "react";

import type { Artifact } from "../api/types.js";
import { formatDateTime } from "../format.js";
import { safeUrl } from "./safe-url.js";

// The Markdown renderer (react-markdown, remark-gfm, rehype-sanitize) is loaded when the first
// Markdown artifact is shown, so it does not weigh on the dashboard's first load.
const Markdown = lazy(() => import("./markdown.js").then((m) => ({ default: m.Markdown })));

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function cellText(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return v.toString();
  return JSON.stringify(v) ?? "";
}

/** Table artifacts arrive as rows of records, rows of arrays (+ columns), or columns of arrays. */
export function toTable(data: unknown): { columns: string[]; rows: unknown[][] } {
  if (isRecord(data) && Array.isArray(data.rows)) {
    const rows = data.rows as unknown[];
    const columns = Array.isArray(data.columns) ? data.columns.map(String) : undefined;
    return toTableWith(rows, columns);
  }
  if (Array.isArray(data)) return toTableWith(data);
  if (isRecord(data)) {
    const columns = Object.keys(data);
    const cols = columns.map((c) => (Array.isArray(data[c]) ? (data[c] as unknown[]) : [data[c]]));
    const n = Math.max(0, ...cols.map((c) => c.length));
    return { columns, rows: Array.from({ length: n }, (_, r) => cols.map((c) => c[r])) };
  }
  return { columns: ["value"], rows: [[data]] };
}

function toTableWith(rows: unknown[], columns?: string[]): { columns: string[]; rows: unknown[][] } {
  if (rows.every(Array.isArray)) {
    const width = Math.max(0, ...rows.map((r) => (r as unknown[]).length));
    return {
      columns: columns ?? Array.from({ length: width }, (_, i) => String(i + 1)),
      rows: rows as unknown[][],
    };
  }
  const cols = columns ?? [...new Set(rows.flatMap((r) => (isRecord(r) ? Object.keys(r) : [])))];
  return { columns: cols, rows: rows.map((r) => cols.map((c) => (isRecord(r) ? r[c] : undefined))) };
}

function LinkArtifact({ data }: { data: unknown }): ReactNode {
  const field = isRecord(data) ? (data.url ?? data.link ?? data.href) : undefined;
  const url = typeof data === "string" ? data : typeof field === "string" ? field : "";
  const text = isRecord(data) && typeof data.text === "string" ? data.text : url;
  const safe = safeUrl(url);
  return safe ? (
    <a href={safe} target="_blank" rel="noopener noreferrer">
      {text}
    </a>
  ) : (
    <span>{text}</span>
  );
}

/**
 * One artifact: markdown rendered safely, a table, or a link.
 * @example <ArtifactView artifact={{ type: "link", data: "https://example.com", ... }} />
 */
export function ArtifactView({ artifact }: { artifact: Artifact }): ReactNode {
  let body: ReactNode;
  if (artifact.type === "markdown")
    body = (
      <Suspense fallback={<p className="muted">Loading…</p>}>
        <Markdown source={typeof artifact.data === "string" ? artifact.data : cellText(artifact.data)} />
      </Suspense>
    );
  else if (artifact.type === "link") body = <LinkArtifact data={artifact.data} />;
  else if (artifact.type === "table") {
    const { columns, rows } = toTable(artifact.data);
    body = (
      <div className="table-wrap">
        <table className="data">
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c} scope="col">
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={i}>
                {r.map((c, j) => (
                  <td key={j}>{cellText(c)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    );
  } else body = <pre>{JSON.stringify(artifact.data, null, 2)}</pre>;
  return (
    <article className="card artifact" data-type={artifact.type}>
      <header>
        <h3>{artifact.key ?? "(unkeyed)"}</h3>
        <span className="muted">
          {artifact.type}
          {artifact.version !== null ? ` · v${artifact.version}` : ""}
          {artifact.createdAt ? ` · ${formatDateTime(artifact.createdAt)}` : ""}
        </span>
      </header>
      {artifact.description && <p className="muted">{artifact.description}</p>}
      {body}
    </article>
  );
}
