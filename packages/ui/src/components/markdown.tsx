import type { ReactNode } from "react";

/** Only these link targets are rendered as links; anything else (javascript:, data:) stays text. */
export function safeUrl(url: string): string | null {
  const trimmed = url.trim();
  if (/^(https?:|mailto:)/i.test(trimmed)) return trimmed;
  if (/^(#|\/(?!\/))/.test(trimmed)) return trimmed;
  return null;
}

const INLINE =
  /(`[^`]+`)|(\*\*[^*]+\*\*|__[^_]+__)|(\*[^*\s][^*]*\*|_[^_\s][^_]*_)|(\[[^\]]+\]\([^)\s]+\))|(https?:\/\/[^\s<>()]+)/g;

function inline(text: string, key: string): ReactNode[] {
  const out: ReactNode[] = [];
  let last = 0;
  let i = 0;
  for (const m of text.matchAll(INLINE)) {
    const at = m.index;
    if (at > last) out.push(text.slice(last, at));
    const k = `${key}-${i++}`;
    const [whole, code, strong, em, link, bare] = m;
    if (code) out.push(<code key={k}>{code.slice(1, -1)}</code>);
    else if (strong) out.push(<strong key={k}>{inline(strong.slice(2, -2), k)}</strong>);
    else if (em) out.push(<em key={k}>{inline(em.slice(1, -1), k)}</em>);
    else if (link) {
      const close = link.indexOf("](");
      const label = link.slice(1, close);
      const url = safeUrl(link.slice(close + 2, -1));
      out.push(
        url ? (
          <a key={k} href={url} target="_blank" rel="noopener noreferrer">
            {inline(label, k)}
          </a>
        ) : (
          label
        ),
      );
    } else if (bare) {
      out.push(
        <a key={k} href={bare} target="_blank" rel="noopener noreferrer">
          {bare}
        </a>,
      );
    } else out.push(whole);
    last = at + whole.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

const cells = (row: string): string[] =>
  row
    .trim()
    .replace(/^\||\|$/g, "")
    .split("|")
    .map((c) => c.trim());

/**
 * Renders Markdown (headings, paragraphs, lists, quotes, code, pipe tables, links, emphasis) as
 * React elements. Raw HTML is never interpreted: it shows as text, so artifacts cannot inject
 * markup or scripts.
 * @example <Markdown source={"# Report\n**Precision** is 0.61"} />
 */
export function Markdown({ source }: { source: string }): ReactNode {
  const lines = source.replace(/\r\n?/g, "\n").split("\n");
  const blocks: ReactNode[] = [];
  let i = 0;
  const key = (): string => `b${blocks.length}`;
  while (i < lines.length) {
    const line = lines[i]!;
    if (/^\s*$/.test(line)) {
      i++;
      continue;
    }
    const fence = /^```(.*)$/.exec(line);
    if (fence) {
      const body: string[] = [];
      i++;
      while (i < lines.length && !/^```/.test(lines[i]!)) body.push(lines[i++]!);
      i++;
      blocks.push(
        <pre key={key()}>
          <code>{body.join("\n")}</code>
        </pre>,
      );
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      const level = Math.min(6, heading[1]!.length + 2);
      const H = `h${level}` as "h3";
      blocks.push(<H key={key()}>{inline(heading[2]!, key())}</H>);
      i++;
      continue;
    }
    if (/^(-{3,}|\*{3,})\s*$/.test(line)) {
      blocks.push(<hr key={key()} />);
      i++;
      continue;
    }
    if (/^\s*\|.*\|\s*$/.test(line) && /^\s*\|?\s*:?-{3,}/.test(lines[i + 1] ?? "")) {
      const head = cells(line);
      i += 2;
      const rows: string[][] = [];
      while (i < lines.length && /^\s*\|.*\|\s*$/.test(lines[i]!)) rows.push(cells(lines[i++]!));
      const k = key();
      blocks.push(
        <div className="table-wrap" key={k}>
          <table>
            <thead>
              <tr>
                {head.map((h, j) => (
                  <th key={j} scope="col">
                    {inline(h, `${k}h${j}`)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((r, ri) => (
                <tr key={ri}>
                  {r.map((c, j) => (
                    <td key={j}>{inline(c, `${k}r${ri}c${j}`)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>,
      );
      continue;
    }
    const list = /^\s*([-*+]|\d+[.)])\s+/.exec(line);
    if (list) {
      const ordered = /\d/.test(list[1]!);
      const items: string[] = [];
      while (i < lines.length && /^\s*([-*+]|\d+[.)])\s+/.test(lines[i]!))
        items.push(lines[i++]!.replace(/^\s*([-*+]|\d+[.)])\s+/, ""));
      const k = key();
      const children = items.map((it, j) => <li key={j}>{inline(it, `${k}-${j}`)}</li>);
      blocks.push(ordered ? <ol key={k}>{children}</ol> : <ul key={k}>{children}</ul>);
      continue;
    }
    if (/^>\s?/.test(line)) {
      const body: string[] = [];
      while (i < lines.length && /^>\s?/.test(lines[i]!)) body.push(lines[i++]!.replace(/^>\s?/, ""));
      blocks.push(<blockquote key={key()}>{inline(body.join(" "), key())}</blockquote>);
      continue;
    }
    const para: string[] = [];
    while (
      i < lines.length &&
      !/^\s*$/.test(lines[i]!) &&
      !/^(#{1,6}\s|```|>|\s*([-*+]|\d+[.)])\s)/.test(lines[i]!)
    )
      para.push(lines[i++]!);
    if (para.length === 0) para.push(lines[i++]!);
    blocks.push(<p key={key()}>{inline(para.join(" "), key())}</p>);
  }
  return <div className="markdown">{blocks}</div>;
}
