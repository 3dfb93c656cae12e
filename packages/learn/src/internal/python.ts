/**
 * Small re-creations of Python formatting and ordering rules, so that text output and orderings
 * match River character for character.
 */
import type { Label } from "../types.js";

/** Python's `str()` of a label: `True`/`False` for booleans, shortest repr for numbers. */
export function pyStr(label: Label): string {
  if (typeof label === "boolean") return label ? "True" : "False";
  if (typeof label === "number") return String(label);
  return label;
}

/** Python's `repr(float)`: `373.0`, `0.1`, `1e-05`, `1e+16`, `inf`, `nan`. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const exp = x.toExponential(); // shortest round-trip digits, e.g. "1.2345e+2"
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(exp);
  if (m === null) return String(x);
  const sign = m[1] ?? "";
  const digits = (m[2] ?? "") + (m[3] ?? "");
  const e = Number(m[4]);
  if (e < -4 || e >= 16) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const ee = Math.abs(e) < 10 ? `0${Math.abs(e)}` : String(Math.abs(e));
    return `${sign}${mant}e${e < 0 ? "-" : "+"}${ee}`;
  }
  if (e < 0) return `${sign}0.${"0".repeat(-e - 1)}${digits}`;
  const intPart = digits.slice(0, e + 1).padEnd(e + 1, "0");
  const frac = digits.slice(e + 1);
  return `${sign}${intPart}.${frac === "" ? "0" : frac}`;
}

/**
 * Fixed-point formatting with Python's rounding (round half to even on the exact binary value).
 * JavaScript's `toFixed` rounds exact ties away from zero, which differs on values like 0.125.
 */
export function formatFixed(x: number, decimals: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
  const neg = x < 0 || Object.is(x, -0);
  const a = Math.abs(x);
  let s = a.toFixed(decimals);
  // toFixed is exact; 30 more digits tell an exact tie ("5" then zeros) from a near one.
  const extra = Math.min(100, decimals + 30) - decimals;
  const long = a.toFixed(decimals + extra);
  const tail = long.slice(long.length - extra);
  if (/^50*$/.test(tail)) {
    const truncated = long.slice(0, long.length - extra).replace(/\.$/, "");
    const last = truncated.charCodeAt(truncated.length - 1) - 48;
    if (last % 2 === 0) s = truncated;
  }
  return neg ? `-${s}` : s;
}

/** Python's `f"{x:.{d}%}"`. */
export function formatPercent(x: number, decimals: number): string {
  return `${formatFixed(x * 100, decimals)}%`;
}

/** Python's `f"{s:^{width}}"` (extra space goes to the right). */
export function center(s: string, width: number): string {
  const len = [...s].length;
  if (len >= width) return s;
  const pad = width - len;
  const left = Math.floor(pad / 2);
  return " ".repeat(left) + s + " ".repeat(pad - left);
}

/** Python's `str.rstrip(chars)`. */
export function rstrip(s: string, chars: string): string {
  let end = s.length;
  while (end > 0 && chars.includes(s[end - 1] ?? "")) end--;
  return s.slice(0, end);
}

/** Python's `f"{n:,}"` for an integer-valued number. */
export function thousands(n: number): string {
  const neg = n < 0;
  const digits = Math.abs(Math.trunc(n)).toString();
  let out = "";
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ",";
    out += digits[i];
  }
  return neg ? `-${out}` : out;
}

function codePointCompare(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.codePointAt(i) ?? 0;
    const cb = b.codePointAt(i) ?? 0;
    if (ca !== cb) return ca - cb;
    if (ca > 0xffff) i++;
  }
  return a.length - b.length;
}

/**
 * Python's `sorted()` order for labels: numbers and booleans numerically (`False` = 0), strings by
 * code point. Python would refuse to compare a number with a string; here numbers come first.
 */
export function compareLabels(a: Label, b: Label): number {
  const na = typeof a === "string" ? undefined : Number(a);
  const nb = typeof b === "string" ? undefined : Number(b);
  if (na !== undefined && nb !== undefined) return na - nb;
  if (na !== undefined) return -1;
  if (nb !== undefined) return 1;
  return codePointCompare(a as string, b as string);
}
