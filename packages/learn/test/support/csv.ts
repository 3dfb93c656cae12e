/**
 * A small RFC-4180 CSV reader for tests and benchmarks (not part of the public API): quoted
 * fields, doubled quotes, commas and line breaks inside quotes, `\n` or `\r\n` record ends.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let i = 0;
  const n = text.length;
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  let quoted = false;
  while (i < n) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      // Copy the run up to the next quote in one go.
      const q = text.indexOf('"', i);
      const end = q < 0 ? n : q;
      field += text.slice(i, end);
      i = end;
      continue;
    }
    if (c === '"' && field === "") {
      quoted = true;
      i++;
    } else if (c === ",") {
      row.push(field);
      field = "";
      i++;
    } else if (c === "\n" || c === "\r") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i += c === "\r" && text[i + 1] === "\n" ? 2 : 1;
    } else {
      let j = i;
      while (j < n) {
        const d = text[j];
        if (d === "," || d === "\n" || d === "\r") break;
        j++;
      }
      field += text.slice(i, j);
      i = j;
    }
  }
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/**
 * Parses a CSV with a header into `{ text, label }` pairs (label as an integer). Texts are copied
 * into standalone strings (as `JSON.parse` of an event would give), not slices that keep the
 * whole file alive.
 */
export function readLabelledCsv(
  text: string,
  textColumn = "text",
  labelColumn?: string,
): { text: string; label: number }[] {
  const rows = parseCsv(text);
  const header = rows[0] ?? [];
  const ti = header.indexOf(textColumn);
  const li = labelColumn === undefined ? (ti === 0 ? 1 : 0) : header.indexOf(labelColumn);
  if (ti < 0 || li < 0)
    throw new Error(`CSV header ${JSON.stringify(header)} lacks "${textColumn}" or the label column`);
  return rows
    .slice(1)
    .map((r) => ({ text: JSON.parse(JSON.stringify(r[ti] as string)) as string, label: Number(r[li]) }));
}
