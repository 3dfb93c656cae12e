import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";

import { toTable } from "./artifact-view.js";
import { Markdown } from "./markdown.js";
import { safeUrl } from "./safe-url.js";

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
    expect(html).toMatch(/<ul>\s*<li>a<\/li>\s*<li>b<\/li>\s*<\/ul>/);
    expect(html).toMatch(/<td>1<\/td>\s*<td>2<\/td>/);
  });

  it("shows raw HTML as text instead of injecting it", () => {
    const html = render(
      '<img src=x onerror="alert(1)"> <script>alert(2)</script>\n\n<div onclick="x()">hi</div>',
    );
    expect(html).not.toContain("<img");
    expect(html).not.toContain("<script");
    // No element carries an event handler: every `on…=` is escaped text.
    expect(html).not.toMatch(/<[a-z][^>]*\son\w+=/i);
    expect(html).toContain("&lt;div onclick=&quot;x()&quot;&gt;");
    expect(html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
  });

  it("keeps underscores inside words, escaped pipes in table cells and strikethrough", () => {
    const html = render(
      "f1_macro_avg is 0.7 and a_b_c\n\n| name | value |\n|---|---|\n| a \\| b | 1 |\n\n~~old~~",
    );
    expect(html).toContain("f1_macro_avg");
    expect(html).not.toContain("<em>macro</em>");
    expect(html).toContain("<td>a | b</td><td>1</td>");
    expect(html).toContain("<del>old</del>");
  });

  it("links only web, mail and relative targets", () => {
    const html = render("[ok](https://example.com) [bad](javascript:alert(1)) [data](data:text/html,x)");
    expect(html).toContain('href="https://example.com"');
    expect(html).not.toContain("javascript:");
    expect(html).not.toContain('href="data:');
    expect(safeUrl(" JAVASCRIPT:alert(1)")).toBeNull();
    expect(safeUrl("//evil.example/x")).toBeNull();
    expect(safeUrl("/\\evil.example")).toBeNull();
    expect(safeUrl("/runs/1")).toBe("/runs/1");
    const leaving = render(
      "[a](/\\evil.example) [b](//evil.example) [c](/\\/evil.example) [d](/%5C%5Cevil.example)",
    );
    // Whatever href survives resolves on the dashboard's own origin.
    const hrefs = [...leaving.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!.replaceAll("&amp;", "&"));
    for (const href of hrefs)
      expect(new URL(href, "https://weir.example/").origin, href).toBe("https://weir.example");
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
