import type { ReactNode } from "react";
import { useEffect, useRef, useState } from "react";

import { Link } from "../router.js";

const NAV = [
  { to: "#/", label: "Dashboard", match: "" },
  { to: "#/runs", label: "Flow runs", match: "runs" },
  { to: "#/flows", label: "Flows", match: "flows" },
  { to: "#/deployments", label: "Deployments", match: "deployments" },
  { to: "#/workers", label: "Workers", match: "workers" },
  { to: "#/models", label: "Models", match: "models" },
  { to: "#/topics", label: "Topics", match: "topics" },
];

/**
 * The top bar's navigation and settings (`children`). On a wide screen they sit in the bar; on a
 * narrow one (styles.css, `.menu-button`) they fold behind a Menu button: it says whether the menu
 * is open (`aria-expanded`), opening it moves focus to the current page's link, and Escape, a click
 * outside or choosing a page closes it (Escape returns focus to the button).
 * @example <ShellMenu section="runs"><ThemeToggle /></ShellMenu>
 */
export function ShellMenu({ section, children }: { section: string; children: ReactNode }): ReactNode {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);

  // Another section (a link, Back) closes the menu; set while rendering, not in an effect.
  const [openedIn, setOpenedIn] = useState(section);
  if (openedIn !== section) {
    setOpenedIn(section);
    setOpen(false);
  }
  useEffect(() => {
    if (!open) return;
    const links = panel.current?.querySelectorAll("a");
    (panel.current?.querySelector<HTMLElement>('a[aria-current="page"]') ?? links?.[0])?.focus();
    const onKey = (e: KeyboardEvent): void => {
      if (e.key !== "Escape") return;
      setOpen(false);
      button.current?.focus();
    };
    const onPointer = (e: PointerEvent): void => {
      const target = e.target as Node;
      if (!panel.current?.contains(target) && !button.current?.contains(target)) setOpen(false);
    };
    document.addEventListener("keydown", onKey);
    document.addEventListener("pointerdown", onPointer);
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("pointerdown", onPointer);
    };
  }, [open]);

  return (
    <>
      <button
        ref={button}
        type="button"
        className="menu-button"
        aria-expanded={open}
        aria-controls="topbar-menu"
        onClick={() => setOpen(!open)}
      >
        <svg viewBox="0 0 20 20" width="18" height="18" aria-hidden="true">
          <path d="M3 5h14M3 10h14M3 15h14" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
        </svg>
        Menu
      </button>
      <div id="topbar-menu" ref={panel} className="topbar-menu" data-open={open}>
        <nav aria-label="Main">
          <ul>
            {NAV.map((n) => (
              <li key={n.to}>
                <Link
                  to={n.to}
                  aria-current={section === n.match ? "page" : undefined}
                  onClick={() => {
                    if (!open) return;
                    // The link goes with the menu: the page it opens takes the focus.
                    setOpen(false);
                    document.getElementById("main")?.focus();
                  }}
                >
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="topbar-tools">{children}</div>
      </div>
    </>
  );
}
