/**
 * Only these link targets are kept; anything else (javascript:, data:, a protocol-relative
 * `//host` or a `/\host` that browsers read as one) is dropped, so a link never leaves the
 * site for an unexpected scheme or host.
 * @example safeUrl("javascript:alert(1)"); // null
 */
export function safeUrl(url: string): string | null {
  const trimmed = url.trim();
  if (/^(https?:|mailto:)/i.test(trimmed)) return trimmed;
  if (trimmed.startsWith("#")) return trimmed;
  if (/^\/(?![/\\])/.test(trimmed) && !/[\\\t\n\r]/.test(trimmed)) return trimmed;
  return null;
}
