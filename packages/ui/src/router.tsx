import type { AnchorHTMLAttributes, ReactNode } from "react";
import { useSyncExternalStore } from "react";

/** The current location: `#/runs/abc?tab=logs` → `{ segments: ["runs", "abc"], query }`. */
export interface Route {
  segments: string[];
  query: URLSearchParams;
}

const subscribe = (cb: () => void): (() => void) => {
  window.addEventListener("hashchange", cb);
  return () => window.removeEventListener("hashchange", cb);
};

function parse(hash: string): Route {
  const raw = hash.replace(/^#\/?/, "");
  const [path = "", qs = ""] = raw.split("?", 2);
  return {
    segments: path.split("/").filter(Boolean).map(decodeURIComponent),
    query: new URLSearchParams(qs),
  };
}

/** Builds an href for the hash router. */
export function href(path: string, query?: Record<string, string | undefined> | URLSearchParams): string {
  const params =
    query instanceof URLSearchParams
      ? query
      : new URLSearchParams(Object.entries(query ?? {}).filter((e): e is [string, string] => !!e[1]));
  const qs = params.toString();
  return `#${path}${qs ? `?${qs}` : ""}`;
}

/**
 * The hash route, re-rendered on every navigation. Hash routing keeps the server simple: it only
 * has to serve `index.html` at `/`.
 * @example const { segments } = useRoute();
 */
export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return parse(hash);
}

/** Navigates; `replace` keeps filter changes out of the back-button history. */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) {
    history.replaceState(null, "", to);
    window.dispatchEvent(new HashChangeEvent("hashchange"));
  } else window.location.hash = to.replace(/^#/, "");
}

export function Link(
  props: { to: string; children: ReactNode } & Omit<AnchorHTMLAttributes<HTMLAnchorElement>, "href">,
): ReactNode {
  const { to, children, ...rest } = props;
  return (
    <a href={to} {...rest}>
      {children}
    </a>
  );
}
