import type { ReactNode } from "react";
import { useEffect } from "react";

import "./layout.css";
import { ApiKeyDialog } from "./components/api-key-dialog.js";
import { ShellMenu } from "./components/shell-menu.js";
import { TimeZoneToggle, useTimeZone } from "./components/time-zone-toggle.js";
import { useLiveStatus, useStored } from "./hooks.js";
import { DashboardPage } from "./pages/dashboard-page.js";
import { DeploymentPage } from "./pages/deployment-page.js";
import { DeploymentsPage } from "./pages/deployments-page.js";
import { ComparePage } from "./pages/compare-page.js";
import { FlowPage } from "./pages/flow-page.js";
import { FlowsPage } from "./pages/flows-page.js";
import { ModelPage } from "./pages/model-page.js";
import { ModelsPage } from "./pages/models-page.js";
import { NotFoundPage, RunNotFound, isRunId } from "./pages/not-found-page.js";
import { RunPage } from "./pages/run-page.js";
import { RunsPage } from "./pages/runs-page.js";
import { TopicsPage } from "./pages/topics-page.js";
import { WorkersPage } from "./pages/workers-page.js";
import { Link, useRoute } from "./router.js";

const LIVE_LABELS = { connecting: "Connecting…", live: "Live", offline: "Offline" };
const LIVE_TITLES = {
  connecting: "Connecting to the server's live updates",
  live: "Receiving live updates",
  offline: "Live updates disconnected, reconnecting",
};

/** The dashboard shell: skip link, navigation, theme toggle, live indicator and the routed page. */
export function App(): ReactNode {
  const { segments } = useRoute();
  const [theme, setTheme] = useStored<"dark" | "light">("weir-theme", "dark");
  const live = useLiveStatus();
  useTimeZone(); // every time on the page is shown again in the chosen zone
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  const [first = "", second] = segments;
  let page: ReactNode;
  let title = "Dashboard";
  if (first === "runs" && second) {
    page = isRunId(second) ? <RunPage key={second} id={second} theme={theme} /> : <RunNotFound id={second} />;
    title = isRunId(second) ? "Run" : "Run not found";
  } else if (first === "runs") {
    page = <RunsPage />;
    title = "Flow runs";
  } else if (first === "flows" && second) {
    page = <FlowPage key={second} name={second} />;
    title = `Flow ${second}`;
  } else if (first === "compare") {
    page = <ComparePage theme={theme} />;
    title = "Compare runs";
  } else if (first === "flows") {
    page = <FlowsPage />;
    title = "Flows";
  } else if (first === "deployments" && second) {
    page = <DeploymentPage key={second} idOrName={second} />;
    title = "Deployment";
  } else if (first === "deployments") {
    page = <DeploymentsPage />;
    title = "Deployments";
  } else if (first === "workers") {
    page = <WorkersPage />;
    title = "Workers";
  } else if (first === "models" && second) {
    page = <ModelPage key={second} name={second} theme={theme} />;
    title = `Model ${second}`;
  } else if (first === "models") {
    page = <ModelsPage />;
    title = "Models";
  } else if (first === "topics") {
    page = <TopicsPage />;
    title = "Topics";
  } else if (first === "") page = <DashboardPage />;
  else {
    page = (
      <NotFoundPage title="Page not found" back={{ to: "#/", label: "Go to the dashboard" }}>
        The dashboard has no page at <code>#/{segments.join("/")}</code>.
      </NotFoundPage>
    );
    title = "Page not found";
  }
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
        <span className={`live ${live}`} role="status" title={LIVE_TITLES[live]}>
          <span className="dot" aria-hidden="true" />
          {LIVE_LABELS[live]}
        </span>
        <ShellMenu section={first}>
          <TimeZoneToggle />
          <button
            type="button"
            className="theme-toggle"
            aria-pressed={theme === "light"}
            onClick={() => setTheme(theme === "dark" ? "light" : "dark")}
          >
            {theme === "dark" ? "Light theme" : "Dark theme"}
          </button>
        </ShellMenu>
      </header>
      <main id="main" tabIndex={-1}>
        {page}
      </main>
      <ApiKeyDialog />
    </>
  );
}
