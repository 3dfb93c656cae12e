import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

import type { CreateDeployment, Deployment, Page as RunPage, Run } from "@weir/protocol";
import { startServer } from "@weir/server";
import type { Browser, Page } from "playwright-core";

import { buildUi, launchChromium, screenshotDir } from "./browser.js";
import { Seeder } from "./seed.js";

const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

/** The key the deployments e2e servers are started with: every write of the UI needs it. */
export const API_KEY = "e2e-deployments-key";

export const DESKTOP = { width: 1360, height: 900 };
export const PHONE = { width: 390, height: 844 };

/** The parameters of the monitor flow, as JSON Schema (what `flow({ parameters: z.object(…) })` sends). */
export const MONITOR_SCHEMA = {
  type: "object",
  properties: {
    topic: { type: "string", description: "The topic the monitor reads metrics from" },
    threshold: { type: "number", minimum: 0, maximum: 1, description: "Warn below this precision" },
    window: { type: "integer", minimum: 1 },
    alert: { type: "boolean" },
    mode: { type: "string", enum: ["precision", "recall", "both"] },
    channels: { type: "array", items: { type: "string" } },
  },
  required: ["topic", "threshold"],
  additionalProperties: false,
};

/** A deployment of the reference application's monitor, every 5 minutes in Berlin time. */
export function monitorDeployment(patch: Partial<CreateDeployment> = {}): CreateDeployment {
  return {
    name: "metrics-monitor",
    flowName: "river-metrics-monitor",
    entrypoint: "./deployed-flows.mjs:watch",
    description: "Warns when precision or recall falls below the threshold.",
    parameters: { topic: "river_metrics", threshold: 0.6, window: 50, mode: "both" },
    parameterSchema: MONITOR_SCHEMA,
    tags: ["yelp", "monitor"],
    workPool: "nobody-listens",
    schedule: { cron: "*/5 * * * *", timezone: "Europe/Berlin" },
    ...patch,
  };
}

/**
 * A real Weir server with an API key, the dashboard built from the current sources, and Chromium.
 * `open()` opens a page that already holds the key (as after a first prompt) unless told
 * `{ keyless: true }`, and records every page error and console error but those a test expects.
 */
export class DeployFixture {
  server!: Awaited<ReturnType<typeof startServer>>;
  browser!: Browser;
  seeder!: Seeder;
  shots = "";
  readonly problems: string[] = [];
  #dirs: string[] = [];

  /** Starts everything; `db`: a PostgreSQL URL to store in, else SQLite in a temporary folder. */
  async start(chromium: string, db?: string): Promise<void> {
    const dataDir = mkdtempSync(join(tmpdir(), "weir-ui-deploy-e2e-"));
    const uiDir = await buildUi();
    this.#dirs = [dataDir, uiDir];
    this.server = await startServer({
      host: "127.0.0.1",
      port: 0,
      dataDir,
      uiDir,
      apiKey: API_KEY,
      livenessCheckIntervalMs: 250,
      ...(db ? { db } : {}),
    });
    this.seeder = new Seeder(this.server.url, API_KEY);
    this.browser = await launchChromium(chromium);
    this.shots = screenshotDir();
    mkdirSync(this.shots, { recursive: true });
  }

  async stop(): Promise<void> {
    await this.browser?.close();
    await this.server?.close();
    for (const dir of this.#dirs) rmSync(dir, { recursive: true, force: true });
  }

  async open(
    hash: string,
    options: {
      viewport?: { width: number; height: number };
      expected?: RegExp;
      keyless?: boolean;
      theme?: "dark" | "light";
    } = {},
  ): Promise<Page> {
    const viewport = options.viewport ?? DESKTOP;
    const page = await this.browser.newPage({ viewport, isMobile: viewport.width < 500 });
    page.on("pageerror", (e) => this.problems.push(`${hash}: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error" && !options.expected?.test(m.text()))
        this.problems.push(`${hash}: ${m.text()}`);
    });
    await page.addInitScript((theme) => localStorage.setItem("weir-theme", theme), options.theme ?? "dark");
    if (!options.keyless)
      await page.addInitScript((key) => sessionStorage.setItem("weir-api-key", key), API_KEY);
    await page.goto(`${this.server.url}/${hash}`);
    return page;
  }

  deploy(body: CreateDeployment): Promise<Deployment> {
    return this.seeder.request<Deployment>("POST", "/api/deployments", body);
  }

  deployment(name: string): Promise<Deployment> {
    return this.seeder.request<Deployment>("GET", `/api/deployments/${encodeURIComponent(name)}`);
  }

  run(id: string): Promise<Run> {
    return this.seeder.request<Run>("GET", `/api/runs/${id}`);
  }

  async runsOf(deploymentId: string, state?: string): Promise<Run[]> {
    const q = new URLSearchParams({ deploymentId, limit: "200", ...(state ? { state } : {}) });
    return (await this.seeder.request<RunPage<Run>>("GET", `/api/runs?${q}`)).items;
  }

  /** The serious and critical axe-core violations of the page as it is now, one line each. */
  async axe(page: Page): Promise<string[]> {
    await page.addScriptTag({ path: axePath });
    return page.evaluate(async () => {
      interface Results {
        violations: { id: string; impact: string | null; nodes: { target: string[] }[] }[];
      }
      const axe = (window as unknown as { axe: { run: (o: object) => Promise<Results> } }).axe;
      const result = await axe.run({ resultTypes: ["violations"] });
      return result.violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
    });
  }

  /**
   * Screenshots the page and measures its width. A phone (`isMobile`) widens its layout viewport to
   * fit content that overflows and zooms out, so its `innerWidth` grows with the page: `pageWidth`
   * is the larger of the document's scroll width and the window's width, `screenWidth` the viewport
   * the page was opened with, and `pageWidth <= screenWidth` holds only when the page fits it.
   */
  async fits(page: Page, name: string): Promise<{ pageWidth: number; screenWidth: number }> {
    await page.waitForTimeout(200);
    await page.screenshot({ path: join(this.shots, `${name}.png`), fullPage: true });
    const screen = page.viewportSize()?.width ?? Number.POSITIVE_INFINITY;
    const { scrollWidth, innerWidth } = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
    }));
    return { pageWidth: Math.max(scrollWidth, innerWidth), screenWidth: screen };
  }
}
