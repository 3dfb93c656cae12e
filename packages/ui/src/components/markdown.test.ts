import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";

import { toTable } from "./artifact-view.js";
import { Markdown, safeUrl } from "./markdown.js";

const render = (source: string): string => renderToStaticMarkup(createElement(Markdown, { source }));

describe("Markdown", () => {
  it("renders headings, emphasis, code, lists and pipe tables as elements", () => {
    const html = render(
      "# Report\n\n**bold** and *it* and `code`\n\n- a\n- b\n\n| x | y |\n|---|---|\n| 1 | 2 |",
    );
    expect(html).toContain("<h3>Report</h3>");
    expect(html).toContain("<strong>bold</strong>");
    expect(html).toContain("<em>it</em>");
    expect(html).toContain("<code>code</code>");
    expect(html).toContain("<ul><li>a</li><li>b</li></ul>");
    expect(html).toContain("<td>1</td><td>2</td>");
  });

  it("shows raw HTML as text instead of injecting it", () => {
    const html = render('<img src=x onerror="alert(1)"> <script>alert(2)</script>');
    expect(html).not.toContain("<img");
    expect(html).not.toContain("<script");
    expect(html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
  });

  it("links only web, mail and relative targets", () => {
    const html = render("[ok](https://example.com) [bad](javascript:alert(1)) [data](data:text/html,x)");
    expect(html).toContain('href="https://example.com"');
    expect(html).not.toContain("javascript:");
    expect(html).not.toContain('href="data:');
    expect(safeUrl(" JAVASCRIPT:alert(1)")).toBeNull();
    expect(safeUrl("//evil.example/x")).toBeNull();
    expect(safeUrl("#/runs")).toBe("#/runs");
  });
});

describe("toTable", () => {
  it("reads rows of records, columns with rows, and columns of values", () => {
    expect(toTable([{ a: 1, b: 2 }, { a: 3 }])).toEqual({
      columns: ["a", "b"],
      rows: [
        [1, 2],
        [3, undefined],
      ],
    });
    expect(toTable({ columns: ["x"], rows: [[1], [2]] })).toEqual({ columns: ["x"], rows: [[1], [2]] });
    expect(toTable({ x: [1, 2], y: [3, 4] })).toEqual({
      columns: ["x", "y"],
      rows: [
        [1, 3],
        [2, 4],
      ],
    });
  });
});
