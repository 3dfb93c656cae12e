import { randomUUID } from "node:crypto";
import { join } from "node:path";

import type { Run } from "@weir/protocol";
import { connect } from "@weir/stream";
import { probeChromium, requireService } from "@weir/test-support";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { API_KEY, DESKTOP, DeployFixture, PHONE, monitorDeployment } from "./deploy-fixture.js";
import { ModelClient, publishSentimentModel } from "./model-seed.js";
import { seedReferenceApp } from "./seed.js";

const chromiumPath = await requireService("Chromium", () => probeChromium());

/** A flow name as long as the API takes (200 characters), with no space to break at. */
const LONG_FLOW = `river-sentiment-model-subscriber-${"with-a-very-long-name-".repeat(8)}`.slice(0, 200);
/** A log message with a token longer than a phone is wide (a URL, a stack frame, a base64 blob). */
const LONG_TOKEN = `https://example.com/${"a1b2c3d4e5".repeat(30)}`;

const NAV_LABELS = ["Dashboard", "Flow runs", "Flows", "Deployments", "Workers", "Models", "Topics"];

/** The views also photographed in the light theme on a phone. */
const LIGHT_SHOTS = ["dashboard", "runs", "run", "topics", "model"];

interface View {
  /** A short name for reports and screenshots. */
  name: string;
  hash: string;
  /** What shows once the page has its data. */
  ready: string;
}

describe.skipIf(chromiumPath.skip)("every page of the dashboard on a phone and under axe-core", () => {
  const f = new DeployFixture();
  const views: View[] = [];

  beforeAll(async () => {
    await f.start(chromiumPath.value!);
    const s = f.seeder;
    const { publisher, model, monitor } = await seedReferenceApp(s);

    // A second model run to compare, and a flow whose name is as long as names go.
    const other = await s.run({
      flowName: "river-model-subscriber",
      name: "sentiment-model-lr-0.05",
      tags: ["yelp", "model"],
      parameters: { topic: "river_pipeline", group: "sentiment-model", learningRate: 0.05 },
    });
    await s.metrics(other.id, "precision", [0.4, 0.5, 0.58, 0.61, 0.66]);
    await s.setState(other.id, "Completed");
    const long: Run = await s.run({
      flowName: LONG_FLOW,
      name: `${LONG_FLOW.slice(0, 150)}-the-run`,
      tags: ["a-rather-long-tag"],
    });
    await s.logs(long.id, [
      { level: "info", message: `Fetched ${LONG_TOKEN}` },
      { level: "warning", message: "Precision 0.55 is below the threshold 0.60 ".repeat(6).trim() },
      { level: "error", message: `Traceback: ${"frame ".repeat(40)}` },
    ]);

    // Topics with events and a consumer group.
    const stream = await connect({ url: f.server.url, apiKey: API_KEY });
    await stream.ensureTopic("river_pipeline");
    for (let i = 0; i < 12; i++)
      await stream.publish("river_pipeline", {
        data: { text: `review ${i}: the food was great`, sentiment: 1 },
      });
    await stream.close();

    // A deployment of the monitor, a worker of its pool, and a model with three versions.
    const deployment = await f.deploy(monitorDeployment({ workPool: "gpu-pool" }));
    await s.request("POST", "/api/workers/heartbeat", {
      workerId: randomUUID(),
      name: "worker-on-a-host-with-a-long-name.example.internal",
      pool: "gpu-pool",
      limit: 4,
      running: [],
      heartbeatIntervalMs: 3_600_000,
    });
    await publishSentimentModel(new ModelClient(f.server.url, API_KEY), "yelp-sentiment", model.id);

    const run = (name: string, id: string, tab?: string, ready = "main h1"): View => ({
      name: tab ? `${name}-${tab}` : name,
      hash: `#/runs/${id}${tab ? `?tab=${tab}` : ""}`,
      ready,
    });
    views.push(
      { name: "dashboard", hash: "#/", ready: ".activity-chart" },
      { name: "runs", hash: "#/runs", ready: "table tbody tr" },
      {
        name: "runs-long-flow",
        hash: `#/runs?flow=${encodeURIComponent(LONG_FLOW)}`,
        ready: "table tbody tr",
      },
      run("run", publisher.id, undefined, ".log-view"),
      ...["metrics", "timeline", "tasks", "children", "artifacts", "parameters", "details"].map((t) =>
        run("run", publisher.id, t),
      ),
      run("model-run", model.id, "metrics", ".metric-chart, canvas"),
      run("model-run", model.id, "children"),
      run("monitor-run", monitor.id, undefined, ".log-view"),
      run("long-run", long.id, undefined, ".log-view"),
      { name: "flows", hash: "#/flows", ready: "main table, main li" },
      { name: "flow", hash: "#/flows/river-model-subscriber", ready: "main h1" },
      { name: "flow-long", hash: `#/flows/${encodeURIComponent(LONG_FLOW)}`, ready: "main h1" },
      { name: "compare", hash: `#/compare?runs=${model.id},${other.id}`, ready: "main h1" },
      { name: "deployments", hash: "#/deployments", ready: "main table, main li" },
      { name: "deployment", hash: `#/deployments/${deployment.name}`, ready: "main h1" },
      { name: "workers", hash: "#/workers", ready: "main table, main li" },
      { name: "models", hash: "#/models", ready: "main table, main li" },
      { name: "model", hash: "#/models/yelp-sentiment", ready: "main h1" },
      { name: "topics", hash: "#/topics", ready: "main h1" },
      { name: "topic", hash: "#/topics?topic=river_pipeline", ready: "main h1" },
      { name: "not-found", hash: "#/nowhere/at-all", ready: "main h1" },
      { name: "run-not-found", hash: "#/runs/not-a-run-id", ready: "main h1" },
    );
  }, 180_000);

  afterAll(() => f.stop());

  /** Opens a view and waits for its data (the live indicator settles meanwhile). */
  async function visit(v: View, viewport = PHONE, theme: "dark" | "light" = "dark"): Promise<Page> {
    const page = await f.open(v.hash, { viewport, theme });
    await page.locator(v.ready).first().waitFor({ timeout: 15_000 });
    await page.waitForTimeout(400);
    return page;
  }

  /** Elements wider than the page, to say what overflows when a page does. */
  function overflowing(page: Page): Promise<string[]> {
    return page.evaluate(() =>
      [...document.querySelectorAll("body *")]
        .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
        .filter(
          (e) => !e.parentElement || e.parentElement.getBoundingClientRect().right <= window.innerWidth + 0.5,
        )
        .slice(0, 5)
        .map(
          (e) =>
            `${e.tagName.toLowerCase()}.${[...e.classList].join(".")} (${Math.round(e.getBoundingClientRect().right)} px)`,
        ),
    );
  }

  it("scrolls sideways on no page and no run tab at 390×844", async () => {
    const wide: string[] = [];
    for (const v of views) {
      const page = await visit(v);
      // A phone widens its layout to fit content that overflows (and zooms out), so the page is
      // measured against the screen's 390 px (fits() does), not only against its own innerWidth.
      const { pageWidth, screenWidth } = await f.fits(page, `layout-${v.name}-phone`);
      if (pageWidth > screenWidth)
        wide.push(`${v.name}: ${pageWidth} > ${screenWidth}: ${(await overflowing(page)).join(", ")}`);
      await page.close();
    }
    expect(wide).toEqual([]);
  }, 300_000);

  it("has no serious or critical axe-core violation on any page, in both themes, phone and desktop", async () => {
    const found: string[] = [];
    const scan = async (page: Page, v: View, what: string) =>
      found.push(...(await f.axe(page)).map((line) => `${v.name} ${what}: ${line}`));
    for (const v of views) {
      const page = await visit(v, DESKTOP, "dark");
      const { pageWidth, screenWidth } = await f.fits(page, `layout-${v.name}-desktop`);
      if (pageWidth > screenWidth) found.push(`${v.name} desktop: ${pageWidth} > ${screenWidth}`);
      await scan(page, v, "dark desktop");
      await page.setViewportSize(PHONE);
      await page.waitForTimeout(300);
      await scan(page, v, "dark phone");
      // The light theme, switched as a reader would: with the button in the menu.
      await page.getByRole("button", { name: "Menu" }).click();
      await page.getByRole("button", { name: "Light theme" }).click();
      await page.keyboard.press("Escape");
      await page.waitForTimeout(300);
      await scan(page, v, "light phone");
      if (LIGHT_SHOTS.includes(v.name)) await f.fits(page, `layout-${v.name}-phone-light`);
      await page.setViewportSize(DESKTOP);
      await page.waitForTimeout(300);
      await scan(page, v, "light desktop");
      await page.close();
    }
    expect(found).toEqual([]);
  }, 600_000);

  it("folds the navigation behind a Menu button on a phone: aria-expanded, focus, Escape, keyboard", async () => {
    const page = await f.open("#/runs", { viewport: PHONE });
    const menu = page.getByRole("button", { name: "Menu" });
    const nav = page.getByRole("navigation", { name: "Main" });
    await menu.waitFor();
    expect(await menu.getAttribute("aria-expanded")).toBe("false");
    expect(await menu.getAttribute("aria-controls")).toBe("topbar-menu");
    expect(await nav.isVisible()).toBe(false);

    await menu.click();
    expect(await menu.getAttribute("aria-expanded")).toBe("true");
    // Focus goes to the current page's link, and every page is on screen.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Flow runs");
    for (const label of NAV_LABELS) {
      const box = await nav.getByRole("link", { name: label, exact: true }).boundingBox();
      expect(box, label).not.toBeNull();
      expect(box!.x + box!.width).toBeLessThanOrEqual(PHONE.width);
      expect(box!.height, `${label} is a finger-sized target`).toBeGreaterThanOrEqual(36);
    }
    await page.screenshot({ path: join(f.shots, "layout-menu-phone.png") });

    // Escape closes it and gives the focus back to the button.
    await page.keyboard.press("Escape");
    expect(await menu.getAttribute("aria-expanded")).toBe("false");
    expect(await nav.isVisible()).toBe(false);
    expect(await page.evaluate(() => document.activeElement?.className)).toBe("menu-button");

    // By keyboard: open, Tab to the next page, Enter: that page opens, the menu closes, focus on it.
    await page.keyboard.press("Enter");
    expect(await menu.getAttribute("aria-expanded")).toBe("true");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Flows");
    await page.keyboard.press("Enter");
    await page.waitForURL(/#\/flows$/);
    expect(await menu.getAttribute("aria-expanded")).toBe("false");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("main");

    // The settings are in the menu too; a click outside closes it.
    await menu.click();
    await page.getByRole("button", { name: "Light theme" }).click();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("light");
    await page.locator("main h1").click();
    expect(await menu.getAttribute("aria-expanded")).toBe("false");
    await page.close();
  });

  it("keeps the seven pages on one line at desktop widths, and a 200-character flow name inside the filter row", async () => {
    for (const width of [1024, 1280, 1920]) {
      const page = await f.open(`#/runs?flow=${encodeURIComponent(LONG_FLOW)}`, {
        viewport: { width, height: 800 },
      });
      await page.locator("table.runs tbody tr").first().waitFor();
      expect(await page.getByRole("button", { name: "Menu" }).isVisible()).toBe(false);
      const links = page.getByRole("navigation", { name: "Main" }).getByRole("link");
      const tops = await links.evaluateAll((els) =>
        els.map((e) => Math.round(e.getBoundingClientRect().top)),
      );
      expect(tops.length).toBe(NAV_LABELS.length);
      expect(new Set(tops).size, `${width}: nav on one line`).toBe(1);
      const fit = await page.evaluate(() => {
        const box = (sel: string) => document.querySelector(sel)!.getBoundingClientRect();
        const bar = document.querySelector(".topbar")!;
        return {
          bar: bar.scrollWidth - bar.clientWidth,
          barHeight: box(".topbar").height,
          selectRight: box(".filter-row select").right,
          rowRight: box(".filter-row").right,
          page: document.documentElement.scrollWidth - window.innerWidth,
        };
      });
      expect(fit.bar, `${width}: top bar overflows`).toBeLessThanOrEqual(0);
      expect(fit.barHeight).toBeLessThan(64);
      expect(fit.selectRight).toBeLessThanOrEqual(fit.rowRight);
      expect(fit.page).toBeLessThanOrEqual(0);
      // The chosen flow is in the select, cut to its width.
      expect(await page.locator(".filter-row select").first().inputValue()).toBe(LONG_FLOW);
      await f.fits(page, `layout-runs-long-flow-${width}`);
      await page.close();
    }
  });

  it("tells the live channel's real state on pages that need no live data", async () => {
    /** Opens a page, recording the live streams it asks for; `refuse`: the server's answer never reaches it. */
    const openWatched = async (hash: string, refuse: boolean) => {
      const page = await f.browser.newPage({ viewport: DESKTOP });
      const streams: string[] = [];
      page.on("request", (r) => {
        if (r.url().includes("/api/events")) streams.push(r.url());
      });
      if (refuse) await page.route("**/api/events**", (route) => route.abort());
      await page.addInitScript((key) => sessionStorage.setItem("weir-api-key", key), API_KEY);
      await page.goto(`${f.server.url}/${hash}`);
      await page.locator("main h1").waitFor();
      return { page, streams };
    };
    const liveText = (page: Page, text: string) =>
      page.waitForFunction((t) => document.querySelector(".live")?.textContent === t, text, {
        timeout: 10_000,
      });
    for (const hash of ["#/models", "#/topics", "#/nowhere"]) {
      const { page, streams } = await openWatched(hash, false);
      await liveText(page, "Live");
      // What says "Live" is a connected stream, not the absence of a page that asked for one.
      expect(streams.length, hash).toBeGreaterThan(0);
      await page.close();
    }
    // The same pages with the channel refused: Offline, and never Live.
    for (const hash of ["#/models", "#/topics"]) {
      const { page } = await openWatched(hash, true);
      await liveText(page, "Offline");
      await page.waitForTimeout(2500);
      expect(await page.locator(".live").textContent()).toBe("Offline");
      await page.close();
    }
  });
});
