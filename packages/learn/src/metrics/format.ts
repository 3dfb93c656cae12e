/**
 * River's `utils.pretty.print_table`: each column as wide as its widest cell, cells right-aligned
 * then padded with two spaces, columns joined by one space. Headers are left-aligned.
 */
export function printTable(headers: readonly string[], columns: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...(columns[i] ?? []).map((c) => c.length)));
  const row = (cells: readonly string[]): string =>
    cells.map((c, i) => c.padEnd((widths[i] as number) + 2)).join(" ");
  const lines = [row(headers)];
  const n = columns[0]?.length ?? 0;
  for (let r = 0; r < n; r++)
    lines.push(row(columns.map((col, i) => (col[r] ?? "").padStart(widths[i] as number))));
  return lines.join("\n");
}
