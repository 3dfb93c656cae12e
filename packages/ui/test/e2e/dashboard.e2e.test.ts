import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

import type { Run } from "@weir/protocol";
import { startServer } from "@weir/server";
import { connect } from "@weir/stream";
import { probeChromium, repoRoot, requireService } from "@weir/test-support";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { buildUi, launchChromium, screenshotDir, uiRoot } from "./browser.js";
import { Seeder, seedReferenceApp } from "./seed.js";

const chromiumPath = await requireService("Chromium", () => probeChromium());

describe.skipIf(chromiumPath.skip)("the dashboard in a real browser against a real Weir server", () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let dataDir: string;
  let uiDir: string;
  let shots: string;
  let seeded: Awaited<ReturnType<typeof seedReferenceApp>>;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "weir-ui-e2e-"));
    uiDir = await buildUi();
    server = await startServer({ host: "127.0.0.1", port: 0, dataDir, uiDir, livenessCheckIntervalMs: 250 });
    const seeder = new Seeder(server.url);
    seeded = await seedReferenceApp(seeder);

    // Topics with real events and a consumer group that is behind.
    const stream = await connect({ url: server.url });
    await stream.ensureTopic("river_pipeline");
    await stream.ensureTopic("river_metrics");
    for (let i = 0; i < 30; i++)
      await stream.publish("river_pipeline", {
        data: { text: `review number ${i}: the food was great`, sentiment: i % 2 },
      });
    await stream.publish("river_metrics", { data: { precision: 0.55, recall: 0.71 } });
    const sub = stream.subscribe("river_pipeline", { group: "sentiment-model" });
    let acked = 0;
    for await (const ev of sub) {
      await ev.ack();
      if (++acked === 20) break;
    }
    await sub.close();
    await stream.close();

    browser = await launchChromium(chromiumPath.value!);
    shots = screenshotDir();
    mkdirSync(shots, { recursive: true });
    console.info(`[ui e2e] screenshots in ${shots}`);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    for (const dir of [dataDir, uiDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function open(hash: string, theme: "dark" | "light" = "dark"): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.addInitScript((t) => localStorage.setItem("weir-theme", t), theme);
    await page.goto(`${server.url}/${hash}`);
    return page;
  }

  it("renders the dashboard from real runs: activity bars, counts per state, recent failures and topics", async () => {
    const page = await open("#/");
    // The activity chart: the server's counts per state in 15-minute buckets of the last 24 hours.
    await page.locator('.activity-chart[data-total="13"] rect.mark').first().waitFor();
    const running = await page
      .locator('.activity-chart rect.mark[data-state="Running"]')
      .evaluateAll((els) => els.map((e) => e.closest(".bucket")?.getAttribute("aria-label") ?? ""));
    expect(running.map((label) => /(\d+) Running/.exec(label)?.[1]).map(Number)).toEqual(
      running.length === 1 ? [2] : [1, 1],
    );
    expect(await page.locator('.counts li[data-state="Completed"]').first().innerText()).toMatch(
      /Completed\s+7/,
    );
    expect(await page.locator('.counts li[data-state="Running"]').first().innerText()).toMatch(/Running\s+2/);
    await page.getByRole("heading", { name: /Task runs/ }).waitFor();
    const failures = page.getByRole("table", { name: "Recent Failed or Crashed runs" });
    expect(await failures.locator("tbody tr").count()).toBe(2);
    await page.locator('tr[data-topic="river_pipeline"]').waitFor();
    expect(await page.locator('tr[data-topic="river_pipeline"] td').nth(1).innerText()).toBe("30");
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(shots, "dashboard.png") });

    // The chart is one tab stop; arrow keys walk its buckets and each says its counts.
    const buckets = page.locator(".activity-chart .bucket");
    expect(await page.locator('.activity-chart [tabindex="0"]').count()).toBe(1);
    await buckets.first().focus();
    await page.keyboard.press("ArrowRight");
    const focused = await page.evaluate(() => document.activeElement?.getAttribute("aria-label"));
    expect(focused).toBe(await buckets.nth(1).getAttribute("aria-label"));
    await page.close();
  });

  it("lists flow runs with name, state, start and duration, and the state filter narrows the list", async () => {
    const page = await open("#/runs");
    const rows = page.locator("table.runs tbody tr");
    await rows.nth(12).waitFor();
    expect(await rows.count()).toBe(13);
    const first = await rows.first().innerText();
    expect(first).toMatch(/›/);
    await page.screenshot({ path: join(shots, "runs.png") });

    await page.getByRole("checkbox", { name: "Failed", exact: true }).check();
    await page.waitForFunction(() => document.querySelectorAll("table.runs tbody tr").length === 1);
    const states = await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-state")));
    expect(states).toEqual(["Failed"]);
    expect(await rows.first().innerText()).toContain(seeded.failed.name);
    expect(page.url()).toContain("state=Failed");

    await page.getByRole("checkbox", { name: "Crashed", exact: true }).check();
    await page.waitForFunction(() => document.querySelectorAll("table.runs tbody tr").length === 2);
    expect(new Set(await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-state"))))).toEqual(
      new Set(["Failed", "Crashed"]),
    );
    await page.close();
  });

  it("shows only WARNING lines once the log level filter is set to warning", async () => {
    const page = await open(`#/runs/${seeded.monitor.id}`);
    await page.getByRole("heading", { name: /metrics-monitor/ }).waitFor();
    expect(await page.locator(".run-description").innerText()).toBe(
      "Warns when precision or recall falls below the threshold.",
    );
    const lines = page.locator(".log-line");
    await lines.nth(16).waitFor();
    const before = await lines.evaluateAll((els) => els.map((e) => e.getAttribute("data-level")));
    expect(new Set(before)).toEqual(new Set(["INFO", "WARNING", "DEBUG"]));
    await page.screenshot({ path: join(shots, "run-logs.png") });

    await page.getByLabel("Log level").selectOption("warning");
    await page.waitForFunction(() => document.querySelectorAll(".log-line").length === 4);
    const after = await lines.evaluateAll((els) => els.map((e) => e.getAttribute("data-level")));
    expect(after).toEqual(["WARNING", "WARNING", "WARNING", "WARNING"]);
    expect(await lines.first().innerText()).toContain("Precision is below threshold");
    await page.close();
  });

  it("draws one line chart per metric the run logged", async () => {
    const page = await open(`#/runs/${seeded.model.id}?tab=metrics`);
    await page.locator('figure[data-metric="precision"][data-points="40"] canvas').waitFor();
    await page.locator('figure[data-metric="recall"][data-points="40"] canvas').waitFor();
    expect(await page.locator("figure.metric").count()).toBe(2);
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(shots, "run-metrics.png") });
    await page.getByLabel("X axis").selectOption("time");
    await page.locator('figure[data-metric="precision"] canvas').waitFor();
    await page.close();
  });

  it("renders artifacts without injecting markup, and shows parameters, state history, task runs and child runs", async () => {
    const page = await open(`#/runs/${seeded.publisher.id}?tab=artifacts`);
    const markdown = page.locator('article[data-type="markdown"] .markdown');
    await markdown.getByRole("heading", { name: "Publish report" }).waitFor();
    expect(await markdown.locator("img").count()).toBe(0);
    expect(await markdown.innerText()).toContain("<img src=x onerror=alert(1)>");
    expect(await markdown.locator('a[href^="javascript"]').count()).toBe(0);
    expect(await markdown.locator('a[href="https://example.com/yelp.csv"]').count()).toBe(1);
    expect(await page.locator('article[data-type="table"] td').allInnerTexts()).toEqual([
      "0",
      "480",
      "1",
      "520",
    ]);
    await page.locator('article[data-type="link"] a[href="https://example.com/yelp.csv"]').waitFor();

    await page.getByRole("tab", { name: "Parameters" }).click();
    await page.getByRole("rowheader", { name: "path" }).waitFor();
    expect(await page.locator(".kv").innerText()).toContain("data/yelp.csv");

    await page.getByRole("tab", { name: "Details" }).click();
    await page.locator('.timeline li[data-state="Completed"]').waitFor();
    const history = await page
      .locator(".timeline li")
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-state")));
    expect(history).toEqual(expect.arrayContaining(["Running", "Completed"]));

    await page.getByRole("tab", { name: "Task runs" }).click();
    await page.getByRole("link", { name: /publish-rows-1/ }).waitFor();

    await page.goto(`${server.url}/#/runs/${seeded.model.id}?tab=children`);
    await page.getByRole("link", { name: /checkpoint-1/ }).waitFor();
    await page.close();
  });

  it("shows each flow with its recent runs", async () => {
    const page = await open("#/flows");
    for (const name of ["run-yelp-data-publisher", "river-model-subscriber", "river-metrics-monitor"])
      await page.locator(`section[data-flow="${name}"] table.runs tbody tr`).first().waitFor();
    expect(await page.locator('section[data-flow="run-yelp-data-publisher"]').innerText()).toContain(
      "5 runs",
    );
    await page.close();
  });

  it("shows topics with event counts, consumer group lag and a live tail of recent events", async () => {
    const page = await open("#/topics?topic=river_pipeline");
    const row = page.locator('tr[data-topic="river_pipeline"]');
    await row.waitFor();
    expect(await row.locator("td").nth(1).innerText()).toBe("30");
    expect(await row.innerText()).toMatch(/sentiment-model\s+lag 10/);
    await page.locator("table.events tbody tr").first().waitFor();
    expect(await page.locator("table.events tbody tr").first().innerText()).toContain("review number 29");

    const stream = await connect({ url: server.url });
    await stream.publish("river_pipeline", { data: { text: "a brand new review", sentiment: 1 } });
    await stream.close();
    await page.locator("table.events tbody tr", { hasText: "a brand new review" }).waitFor({ timeout: 5000 });
    await page.close();
  });

  it("shows a topic's publish rate and its events' times from the fields of the topic summary", async () => {
    const stream = await connect({ url: server.url });
    await stream.ensureTopic("river_rates");
    // Events keep arriving while the page polls, so the rate over the server's last 10 s is above 0.
    let sent = 0;
    const publishing = setInterval(
      () => void stream.publish("river_rates", { data: { n: sent++ } }).catch(() => undefined),
      100,
    );
    try {
      const page = await open("#/topics?topic=river_rates");
      const rate = page.locator('tr[data-topic="river_rates"] td').nth(3);
      await rate.waitFor();
      await expect
        .poll(async () => Number((await rate.innerText()).replace(/\/s$/, "").replace(/,/g, "")), {
          timeout: 10_000,
        })
        .toBeGreaterThan(0);
      // The tail's time column reads each event's createdAt.
      const first = page.locator("table.events tbody tr").first();
      await first.waitFor();
      expect(await first.locator("td").nth(1).innerText()).toMatch(/\d{1,2}:\d{2}:\d{2}/);
      await page.close();
    } finally {
      clearInterval(publishing);
      await stream.close();
    }
  });

  it("switches to the light theme and remembers it, and its tabs work from the keyboard", async () => {
    // A fresh browser profile: nothing stored yet, so the dark default applies.
    const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    const page = await context.newPage();
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.goto(`${server.url}/#/runs/${seeded.publisher.id}`);
    await page.getByRole("button", { name: "Light theme" }).waitFor();
    expect(await page.locator("html").getAttribute("data-theme")).toBe("dark");
    await page.getByRole("button", { name: "Light theme" }).click();
    expect(await page.locator("html").getAttribute("data-theme")).toBe("light");
    const again = await context.newPage();
    await again.goto(`${server.url}/#/`);
    await again.getByRole("button", { name: "Dark theme" }).waitFor();
    expect(await again.locator("html").getAttribute("data-theme")).toBe("light");
    await again.close();

    const logsTab = page.getByRole("tab", { name: "Logs" });
    await logsTab.focus();
    await page.keyboard.press("ArrowRight");
    const metricsTab = page.getByRole("tab", { name: "Metrics" });
    expect(await metricsTab.getAttribute("aria-selected")).toBe("true");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Metrics");
    await page.keyboard.press("End");
    expect(await page.getByRole("tab", { name: "Details" }).getAttribute("aria-selected")).toBe("true");
    await context.close();
  });

  describe("with a flow running in another process", () => {
    let child: ChildProcessWithoutNullStreams;
    let runId: string;
    let page: Page;
    let home: string;
    const replies: string[] = [];

    beforeAll(async () => {
      home = mkdtempSync(join(tmpdir(), "weir-ui-e2e-flow-"));
      child = spawn(process.execPath, [join(uiRoot, "test/e2e/live-flow-child.mjs")], {
        cwd: repoRoot,
        env: {
          ...process.env,
          WEIR_API_URL: server.url,
          WEIR_HOME: home,
          E2E_HEARTBEAT_SECONDS: "0.5",
          WEIR_PRINT_LOGS: "0",
        },
      });
      child.stderr.on("data", (d: Buffer) => process.stderr.write(`[live flow] ${d.toString()}`));
      runId = await new Promise<string>((resolve, reject) => {
        const lines = createInterface({ input: child.stdout });
        lines.on("line", (line) => {
          const msg = JSON.parse(line) as { ready?: string; done?: string };
          if (msg.ready) resolve(msg.ready);
          if (msg.done) replies.push(msg.done);
        });
        child.once("exit", (code) => reject(new Error(`the live flow exited early with code ${code}`)));
      });
      // The flow reports its run in its next batch; wait until the server has it.
      const deadline = Date.now() + 10_000;
      while ((await fetch(`${server.url}/api/runs/${runId}`)).status === 404 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      page = await open(`#/runs/${runId}`);
      await page
        .locator(".log-line", { hasText: "live flow started" })
        .waitFor({ timeout: 10_000 })
        .catch(async (e: unknown) => {
          await page.screenshot({ path: join(shots, "failed-live-start.png") });
          console.error(await page.locator("main").innerText());
          throw e;
        });
      await page.evaluate(() => ((window as unknown as { noReload: boolean }).noReload = true));
    }, 60_000);

    afterAll(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await page?.close();
      if (home) rmSync(home, { recursive: true, force: true });
    });

    it("appends a WARNING it logs to the open Logs tab within 2 seconds, without a reload", async () => {
      const run = (await (await fetch(`${server.url}/api/runs/${runId}`)).json()) as Run;
      expect(run.state).toBe("Running");
      const message = "Precision is below threshold: 0.5";
      child.stdin.write(`warn ${message}\n`);
      // The clock starts when the flow has called logger.warn (it acknowledges each command).
      while (!replies.includes(`warn ${message}`)) await new Promise((r) => setTimeout(r, 5));
      const started = Date.now();
      await page.locator('.log-line[data-level="WARNING"]', { hasText: message }).waitFor({ timeout: 2000 });
      console.info(`[ui e2e] WARNING on screen ${Date.now() - started} ms after the flow logged it`);
      expect(await page.evaluate(() => (window as unknown as { noReload?: boolean }).noReload)).toBe(true);
    });

    it("adds a point to the metric's chart when it logs a metric", async () => {
      await page.getByRole("tab", { name: "Metrics" }).click();
      const loss = page.locator('figure[data-metric="loss"]');
      await page.locator('figure[data-metric="loss"][data-points="1"]').waitFor();
      child.stdin.write("metric loss 0.25 1\n");
      await page.locator('figure[data-metric="loss"][data-points="2"]').waitFor({ timeout: 5000 });
      expect(await loss.innerText()).toContain("last 0.25");
      expect(await page.evaluate(() => (window as unknown as { noReload?: boolean }).noReload)).toBe(true);
    });

    it("turns Crashed on screen when its process is killed with SIGKILL", async () => {
      await page.locator('[data-testid="run-state"] .badge[data-state="Running"]').waitFor();
      child.kill("SIGKILL");
      await page
        .locator('[data-testid="run-state"] .badge[data-state="Crashed"]')
        .waitFor({ timeout: 15_000 });
      expect(await page.evaluate(() => (window as unknown as { noReload?: boolean }).noReload)).toBe(true);
    });
  });

  it("pages through many runs with the server's cursors", async () => {
    const seeder = new Seeder(server.url);
    const base = Date.now() - 120_000;
    for (let i = 0; i < 55; i++) {
      const timestamp = new Date(base + i * 1000).toISOString();
      await seeder.run({ flowName: "paging-flow", name: `paged-${i}`, state: "Pending", timestamp });
    }
    const page = await open("#/runs?flow=paging-flow");
    const rows = page.locator("table.runs tbody tr");
    await page.getByText("Page 1 · 55 runs").waitFor();
    expect(await rows.count()).toBe(50);
    expect(await rows.first().innerText()).toContain("paged-54");
    await page.getByRole("button", { name: "Next →" }).click();
    await page.getByText("Page 2 · 55 runs").waitFor();
    await page.waitForFunction(() => document.querySelectorAll("table.runs tbody tr").length === 5);
    expect(await rows.last().innerText()).toContain("paged-0");
    expect(await page.getByRole("button", { name: "Next →" }).isDisabled()).toBe(true);
    await page.getByRole("button", { name: "← Previous" }).click();
    await page.getByText("Page 1 · 55 runs").waitFor();
    await page.close();
  });

  it("shows how many attempts a retried run took", async () => {
    const seeder = new Seeder(server.url);
    const run = await seeder.run({ flowName: "retried-flow", name: "third-time-lucky" });
    for (const state of ["AwaitingRetry", "Retrying", "AwaitingRetry", "Retrying", "Completed"] as const)
      await seeder.setState(run.id, state);
    const page = await open(`#/runs/${run.id}`);
    await page.locator('[data-testid="run-state"] .badge[data-state="Completed"]').waitFor();
    expect(await page.getByTestId("run-attempts").innerText()).toBe("3");
    await page.close();
  });

  it("fits a desktop and a 390 px phone: dashboard, runs list, a run's logs and topics, without sideways scrolling", async () => {
    const views = [
      { name: "dashboard", hash: "#/", ready: ".run-chart rect.mark" },
      { name: "runs", hash: "#/runs", ready: "table.runs tbody tr" },
      { name: "run-logs", hash: `#/runs/${seeded.monitor.id}`, ready: ".log-line >> nth=16" },
      { name: "topics", hash: "#/topics?topic=river_pipeline", ready: "table.events tbody tr" },
    ];
    for (const [device, viewport] of [
      ["desktop", { width: 1360, height: 900 }],
      ["phone", { width: 390, height: 844 }],
    ] as const) {
      const page = await browser.newPage({ viewport, isMobile: device === "phone" });
      page.on("pageerror", (e) => pageErrors.push(e.message));
      for (const view of views) {
        await page.goto(`${server.url}/${view.hash}`);
        await page.locator(view.ready).first().waitFor();
        await page.waitForTimeout(200);
        await page.screenshot({ path: join(shots, `${view.name}-${device}.png`) });
        // A phone browser zooms out to fit a page wider than itself, so compare with its real width.
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        expect(width, `${view.name} on ${device} is wider than the screen`).toBeLessThanOrEqual(
          viewport.width,
        );
      }
      await page.close();
    }
  });

  describe("with the query cache", () => {
    /** Counts the page's requests whose path is exactly `path`. */
    function countReads(page: Page, path: string): () => number {
      let n = 0;
      page.on("request", (request) => {
        if (request.method() === "GET" && new URL(request.url()).pathname === path) n++;
      });
      return () => n;
    }

    it("asks the server once for a run that its header and its tabs all show", async () => {
      const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
      page.on("pageerror", (e) => pageErrors.push(e.message));
      const runReads = countReads(page, `/api/runs/${seeded.monitor.id}`);
      await page.goto(`${server.url}/#/runs/${seeded.monitor.id}`);
      await page.getByRole("heading", { name: /metrics-monitor/ }).waitFor();
      await page.locator(".log-line").nth(16).waitFor();
      await page.getByRole("tab", { name: "Parameters" }).click();
      await page.getByRole("rowheader", { name: "threshold" }).waitFor();
      await page.getByRole("tab", { name: "Details" }).click();
      await page.locator('.timeline li[data-state="Running"]').waitFor();
      expect(runReads()).toBe(1);
      await page.close();
    });

    it("replaces a row in place when a listed run changes state, without asking for the list again", async () => {
      const seeder = new Seeder(server.url);
      const run = await seeder.run({ flowName: "in-place-flow", name: "in-place-run" });
      const page = await open("#/runs?flow=in-place-flow");
      await page.locator('table.runs tr[data-state="Running"]', { hasText: "in-place-run" }).waitFor();
      const listReads = countReads(page, "/api/runs");
      await seeder.setState(run.id, "Completed");
      await page.locator('table.runs tr[data-state="Completed"]', { hasText: "in-place-run" }).waitFor();
      expect(listReads()).toBe(0);
      await page.close();
    });

    it("shows the cached list at once when going back to it, then the runs that started meanwhile, then live changes", async () => {
      const seeder = new Seeder(server.url);
      await seeder.run({ flowName: "cache-flow", name: "cached-run" });
      const page = await open("#/runs?flow=cache-flow");
      const rows = page.locator("table.runs tbody tr");
      await rows.filter({ hasText: "cached-run" }).waitFor();
      await rows.filter({ hasText: "cached-run" }).getByRole("link").click();
      await page.getByRole("heading", { name: /cached-run/ }).waitFor();

      // While the run's page is open, another run starts: only the server knows of it.
      const later = await seeder.run({ flowName: "cache-flow", name: "started-meanwhile" });
      // The server's answer for the list is held until the test lets it through, so whatever the
      // list shows before then can only come from the cache.
      let release = (): void => {};
      const held = new Promise<void>((resolve) => (release = resolve));
      let answered = false;
      await page.route(
        (url) => url.pathname === "/api/runs",
        async (route) => {
          await held;
          await route.continue();
          answered = true;
        },
      );
      await page.goBack();
      await rows.filter({ hasText: "cached-run" }).waitFor();
      expect(answered).toBe(false);
      expect(await page.getByText("Loading runs…").count()).toBe(0);
      expect(await rows.filter({ hasText: "started-meanwhile" }).count()).toBe(0);

      release();
      await rows.filter({ hasText: "started-meanwhile" }).waitFor();
      expect(answered).toBe(true);
      await page.unroute((url) => url.pathname === "/api/runs");
      await seeder.setState(later.id, "Completed");
      await page.locator('table.runs tr[data-state="Completed"]', { hasText: "started-meanwhile" }).waitFor();
      await page.close();
    });

    it("follows a run that never stops logging with a live tail of at most 2,000 lines, the newest in view", async () => {
      const seeder = new Seeder(server.url);
      const run = await seeder.run({ flowName: "chatty-flow", name: "never-ending" });
      await seeder.logs(run.id, [{ level: "info", message: "first line" }]);
      const page = await open(`#/runs/${run.id}`);
      await page.locator(".log-line", { hasText: "first line" }).waitFor();
      await page.evaluate(() => ((window as unknown as { noReload: boolean }).noReload = true));
      for (let batch = 0; batch < 5; batch++)
        await seeder.logs(
          run.id,
          Array.from({ length: 500 }, (_, i) => ({
            level: "info" as const,
            message: `tail line ${batch * 500 + i + 1}`,
          })),
        );
      const newest = page.locator(".log-line", { hasText: "tail line 2500" });
      await newest.waitFor();
      // The view holds the newest 2,000 (older ones load when scrolled to) and follows the newest.
      expect(Number(await page.locator(".log-view").getAttribute("data-count"))).toBe(2000);
      expect(await page.locator(".log-line", { hasText: "first line" }).count()).toBe(0);
      await page.locator('.log-view[data-following="true"]').waitFor();
      const inView = await page
        .locator(".log-view")
        .evaluate((el) => el.scrollTop + el.clientHeight >= el.scrollHeight - 2);
      expect(inView).toBe(true);
      expect(await page.evaluate(() => (window as unknown as { noReload?: boolean }).noReload)).toBe(true);
      await page.close();
    });
  });

  it("raised no uncaught errors in the page", () => {
    expect(pageErrors).toEqual([]);
  });
});
