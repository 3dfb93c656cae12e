import type { ReactNode } from "react";
import ReactMarkdown from "react-markdown";
import type { Components } from "react-markdown";
import rehypeSanitize from "rehype-sanitize";
import remarkGfm from "remark-gfm";

import { safeUrl } from "./safe-url.js";

interface MdastNode {
  type: string;
  children?: MdastNode[];
}

/**
 * A remark plugin that turns raw HTML into plain text, so `<img onerror=…>` in an artifact is
 * shown as written instead of being dropped or interpreted (an mdast `html` node and a `text`
 * node both keep their source in `value`).
 */
function htmlAsText() {
  return (tree: MdastNode): void => {
    const pending: MdastNode[] = [tree];
    for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
      if (node.type === "html") node.type = "text";
      if (node.children) pending.push(...node.children);
    }
  };
}

/** Headings start at h3: an artifact lives under the page's own h1 and h2. */
const components: Components = {
  h1: ({ children }) => <h3>{children}</h3>,
  h2: ({ children }) => <h4>{children}</h4>,
  h3: ({ children }) => <h5>{children}</h5>,
  h4: ({ children }) => <h6>{children}</h6>,
  h5: ({ children }) => <h6>{children}</h6>,
  a: ({ href, children }) =>
    href ? (
      <a href={href} target="_blank" rel="noopener noreferrer">
        {children}
      </a>
    ) : (
      <>{children}</>
    ),
  table: ({ children }) => (
    <div className="table-wrap">
      <table>{children}</table>
    </div>
  ),
};

/**
 * Renders Markdown (CommonMark with GitHub tables, strikethrough and autolinks) as React
 * elements, with react-markdown and remark-gfm. Raw HTML is never interpreted (it shows as text),
 * the tree is sanitised by rehype-sanitize, and links go through {@link safeUrl}.
 * @example <Markdown source={"# Report\n**Precision** is 0.61"} />
 */
export function Markdown({ source }: { source: string }): ReactNode {
  return (
    <div className="markdown">
      <ReactMarkdown
        remarkPlugins={[remarkGfm, htmlAsText]}
        rehypePlugins={[rehypeSanitize]}
        urlTransform={(url) => safeUrl(url) ?? ""}
        components={components}
      >
        {source}
      </ReactMarkdown>
    </div>
  );
}
