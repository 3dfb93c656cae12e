import type { ReactNode } from "react";
import { useEffect } from "react";

import { useLiveStatus, useStored } from "./hooks.js";
import { DashboardPage } from "./pages/dashboard-page.js";
import { FlowsPage } from "./pages/flows-page.js";
import { RunPage } from "./pages/run-page.js";
import { RunsPage } from "./pages/runs-page.js";
import { TopicsPage } from "./pages/topics-page.js";
import { Link, useRoute } from "./router.js";

const NAV = [
  { to: "#/", label: "Dashboard", match: "" },
  { to: "#/runs", label: "Flow runs", match: "runs" },
  { to: "#/flows", label: "Flows", match: "flows" },
  { to: "#/topics", label: "Topics", match: "topics" },
];

/** The dashboard shell: skip link, navigation, theme toggle, live indicator and the routed page. */
export function App(): ReactNode {
  const { segments } = useRoute();
  const [theme, setTheme] = useStored<"dark" | "light">("weir-theme", "dark");
  const live = useLiveStatus();
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  const [first = "", second] = segments;
  let page: ReactNode;
  let title = "Dashboard";
  if (first === "runs" && second) {
    page = <RunPage key={second} id={second} theme={theme} />;
    title = "Run";
  } else if (first === "runs") {
    page = <RunsPage />;
    title = "Flow runs";
  } else if (first === "flows") {
    page = <FlowsPage />;
    title = "Flows";
  } else if (first === "topics") {
    page = <TopicsPage />;
    title = "Topics";
  } else page = <DashboardPage />;
  useEffect(() => {
    document.title = `${title} · Weir`;
  }, [title]);

  return (
    <>
      <a
        className="skip"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById("main")?.focus();
        }}
      >
        Skip to content
      </a>
      <header className="topbar">
        <Link to="#/" className="brand" aria-label="Weir dashboard home">
          <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
            <path
              d="M2 15c3 0 3-3 6-3s3 3 6 3 3-3 6-3 2 1 2 1"
              fill="none"
              stroke="currentColor"
              strokeWidth="2.2"
              strokeLinecap="round"
            />
            <path
              d="M2 20c3 0 3-3 6-3s3 3 6 3 3-3 6-3 2 1 2 1"
              fill="none"
              stroke="currentColor"
              strokeWidth="2.2"
              strokeLinecap="round"
              opacity=".5"
            />
            <rect x="3" y="3" width="18" height="5" rx="1.5" fill="currentColor" />
          </svg>
          Weir
        </Link>
        <nav aria-label="Main">
          <ul>
            {NAV.map((n) => (
              <li key={n.to}>
                <Link to={n.to} aria-current={first === n.match ? "page" : undefined}>
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <span
          className={`live ${live ? "on" : "off"}`}
          role="status"
          title={live ? "Receiving live updates" : "Live updates disconnected, reconnecting"}
        >
          <span className="dot" aria-hidden="true" />
          {live ? "Live" : "Offline"}
        </span>
        <button
          type="button"
          className="theme-toggle"
          aria-pressed={theme === "light"}
          onClick={() => setTheme(theme === "dark" ? "light" : "dark")}
        >
          {theme === "dark" ? "Light theme" : "Dark theme"}
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {page}
      </main>
    </>
  );
}
