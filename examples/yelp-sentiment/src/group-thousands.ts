/**
 * `12345` → `12,345`, without `toLocaleString` (whose first call loads ICU data: ~20 ms).
 *
 * @example
 * groupThousands(1048576); // "1,048,576"
 */
export function groupThousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}
