/**
 * JSON parsing that keeps object key order even for integer-like keys (`JSON.parse` moves "0"
 * before "1" whatever the text says). Objects become `Map`s. Test-only.
 */
export type OrderedJson = null | boolean | number | string | OrderedJson[] | Map<string, OrderedJson>;

export function parseOrderedJson(text: string): OrderedJson {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && " \t\n\r".includes(text[i] as string)) i++;
  };
  const value = (): OrderedJson => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const m = new Map<string, OrderedJson>();
      ws();
      if (text[i] === "}") {
        i++;
        return m;
      }
      for (;;) {
        ws();
        const k = value() as string;
        ws();
        i++; // ':'
        m.set(k, value());
        ws();
        if (text[i++] === "}") return m;
      }
    }
    if (c === "[") {
      i++;
      const a: OrderedJson[] = [];
      ws();
      if (text[i] === "]") {
        i++;
        return a;
      }
      for (;;) {
        a.push(value());
        ws();
        if (text[i++] === "]") return a;
      }
    }
    if (c === '"') {
      const start = i;
      i++;
      while (text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
      i++;
      return JSON.parse(text.slice(start, i)) as string;
    }
    const m = /^(?:true|false|null|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|NaN|-?Infinity)/.exec(
      text.slice(i, i + 40),
    );
    if (m === null) throw new Error(`Bad JSON at ${i}: ${text.slice(i, i + 20)}`);
    i += m[0].length;
    const t = m[0];
    return t === "true" ? true : t === "false" ? false : t === "null" ? null : Number(t);
  };
  return value();
}

/** Entries of an ordered JSON object field, in text order. */
export function orderedEntries(obj: OrderedJson, key: string): [string, OrderedJson][] {
  if (!(obj instanceof Map)) throw new Error("not an object");
  const v = obj.get(key);
  if (!(v instanceof Map)) throw new Error(`field ${key} is not an object`);
  return [...v];
}
