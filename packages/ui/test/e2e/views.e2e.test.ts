import { createRequire } from "node:module";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";

import type { Activity, Page as RunPage, Run, StateHistoryEntry } from "@weir/protocol";
import { startServer } from "@weir/server";
import { probeChromium, requireService } from "@weir/test-support";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { buildUi, launchChromium, screenshotDir } from "./browser.js";
import { runFlowChild } from "./flow-child.js";
import { Seeder } from "./seed.js";

const chromiumPath = await requireService("Chromium", () => probeChromium());
const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

/** What the page's `axe.run` answers, as far as the test reads it. */
interface AxeResults {
  violations: { id: string; impact: string | null; nodes: { target: string[] }[] }[];
}
const HOUR = 3_600_000;
const PHONE = { width: 390, height: 844 };
const loss = (lr: number) => Array.from({ length: 20 }, (_, i) => Number((1 / (1 + lr * 10 * i)).toFixed(4)));

describe.skipIf(chromiumPath.skip)("the timeline, flow, compare and chart views in a real browser", () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let seeder: Seeder;
  let dataDir: string;
  let uiDir: string;
  let shots: string;
  let flowRunId: string;
  const train: Run[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "weir-ui-views-"));
    uiDir = await buildUi();
    server = await startServer({ host: "127.0.0.1", port: 0, dataDir, uiDir, livenessCheckIntervalMs: 250 });
    seeder = new Seeder(server.url);
    flowRunId = await runFlowChild(server.url, "timeline-flow-child.mjs");

    // Two configurations of a model, and an older failed run of the same flow.
    const ago = (m: number): string => new Date(Date.now() - m * 60_000).toISOString();
    const failed = await seeder.run({ flowName: "e2e-train", name: "train-broken", timestamp: ago(90) });
    await seeder.setState(failed.id, "Failed", "ValueError: depth must be positive", ago(88));
    for (const [name, lr, minutes] of [
      ["train-lr-0.1", 0.1, 30],
      ["train-lr-0.01", 0.01, 20],
    ] as const) {
      const run = await seeder.run({
        flowName: "e2e-train",
        name,
        parameters: { lr, depth: 3 },
        timestamp: ago(minutes),
      });
      // Logged during the run, a point every 10 s from its start.
      const metrics = loss(lr).map((value, step) => ({
        runId: run.id,
        seq: step,
        name: "loss",
        value,
        step,
        timestamp: new Date(Date.parse(run.startTime!) + step * 10_000).toISOString(),
      }));
      await seeder.request("POST", "/api/ingest", { metrics });
      await seeder.setState(run.id, "Completed", undefined, ago(minutes - 5));
      train.push(run);
    }
    // 2,000 runs over the last 24 hours, as a busy day: the activity chart must still span all of it.
    const now = Date.now();
    const runs = Array.from({ length: 2000 }, (_, i) => ({
      id: randomUUID(),
      flowName: "e2e-busy",
      state: "Running" as const,
      timestamp: new Date(now - 24 * HOUR + 60_000 + i * ((24 * HOUR - 120_000) / 2000)).toISOString(),
    }));
    await seeder.request("POST", "/api/ingest", { runs });

    browser = await launchChromium(chromiumPath.value!);
    shots = screenshotDir();
    mkdirSync(shots, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    for (const dir of [dataDir, uiDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function open(hash: string, viewport = { width: 1360, height: 900 }, theme = "dark"): Promise<Page> {
    const page = await browser.newPage({ viewport, isMobile: viewport.width < 500 });
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.addInitScript((t) => localStorage.setItem("weir-theme", t), theme);
    await page.goto(`${server.url}/${hash}`);
    return page;
  }

  async function fitsPhone(hash: string, ready: string, shot: string): Promise<void> {
    const page = await open(hash, PHONE);
    await page.locator(ready).first().waitFor();
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(shots, `${shot}-phone.png`), fullPage: true });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width, `${shot} scrolls sideways on a phone`).toBeLessThanOrEqual(PHONE.width);
    await page.close();
  }

  it("draws a flow run's nested task runs, retried attempts and child flow at their recorded start and end times", async () => {
    const get = <T>(path: string) => seeder.request<T>("GET", path);
    const root = await get<Run>(`/api/runs/${flowRunId}`);
    const tasks = (await get<RunPage<Run>>(`/api/runs?kind=task&flowRunId=${flowRunId}&limit=500`)).items;
    const children = (await get<RunPage<Run>>(`/api/runs?kind=flow&parentRunId=${flowRunId}`)).items;
    const byName = Object.fromEntries([...tasks, ...children].map((r) => [r.name.replace(/-\d+$/, ""), r]));
    expect(Object.keys(byName).sort()).toEqual(["flaky", "load", "prepare", "report"].sort());
    expect(byName.load!.parentRunId).toBe(byName.prepare!.id);
    expect(byName.flaky!.runCount).toBe(2);
    const history = await get<StateHistoryEntry[]>(`/api/runs/${byName.flaky!.id}/states`);
    expect(history.map((s) => s.type)).toEqual(["Running", "AwaitingRetry", "Retrying", "Completed"]);
    const at = (type: string) => history.find((s) => s.type === type)!.timestamp;
    // What the chart must show: every run's recorded times, and the retried task's two attempts.
    const expected: [Run, number, [string, string][]][] = [
      [root, 0, [[root.startTime!, root.endTime!]]],
      [byName.prepare!, 1, [[byName.prepare!.startTime!, byName.prepare!.endTime!]]],
      [byName.load!, 2, [[byName.load!.startTime!, byName.load!.endTime!]]],
      [
        byName.flaky!,
        1,
        [
          [at("Running"), at("AwaitingRetry")],
          [at("Retrying"), at("Completed")],
        ],
      ],
      [byName.report!, 1, [[byName.report!.startTime!, byName.report!.endTime!]]],
    ];
    const t0 = Math.min(...expected.flatMap(([, , bars]) => bars.map(([s]) => Date.parse(s))));
    const t1 = Math.max(...expected.flatMap(([, , bars]) => bars.map(([, e]) => Date.parse(e))));

    const page = await open(`#/runs/${flowRunId}?tab=timeline`);
    await page.locator(".tl-row[data-run-id] .tl-bar").nth(5).waitFor();
    const rows = await page
      .locator(".tl-row[data-run-id]")
      .evaluateAll((els) =>
        els.map((e) => [e.getAttribute("data-run-id"), Number(e.getAttribute("data-depth"))]),
      );
    // Called order, each under its caller: the flow, prepare › load, flaky, the child flow.
    expect(rows).toEqual(expected.map(([run, depth]) => [run.id, depth]));
    for (const [run, , bars] of expected) {
      const row = page.locator(`.tl-row[data-run-id="${run.id}"]`);
      const track = (await row.locator(".tl-track").boundingBox())!;
      const drawn = row.locator(".tl-bar");
      expect(await drawn.count(), run.name).toBe(bars.length);
      for (const [i, [start, end]] of bars.entries()) {
        const bar = drawn.nth(i);
        expect(await bar.getAttribute("data-start")).toBe(new Date(start).toISOString());
        expect(await bar.getAttribute("data-end")).toBe(new Date(end).toISOString());
        const box = (await bar.boundingBox())!;
        const left = track.x + ((Date.parse(start) - t0) / (t1 - t0)) * track.width;
        const width = ((Date.parse(end) - Date.parse(start)) / (t1 - t0)) * track.width;
        expect(Math.abs(box.x - left), `${run.name} attempt ${i + 1} starts where recorded`).toBeLessThan(
          1.5,
        );
        expect(
          Math.abs(box.width - Math.max(2, width)),
          `${run.name} attempt ${i + 1} lasts as recorded`,
        ).toBeLessThan(1.5);
      }
    }
    const flaky = page.locator(`.tl-row[data-run-id="${byName.flaky!.id}"]`);
    expect(await flaky.innerText()).toContain("2 attempts");
    expect(await flaky.locator(".tl-bar").first().getAttribute("data-state")).toBe("AwaitingRetry");
    expect(await flaky.locator(".tl-bar").nth(1).getAttribute("data-state")).toBe("Completed");
    await page.screenshot({ path: join(shots, "timeline.png") });
    await page.close();
    const light = await open(`#/runs/${flowRunId}?tab=timeline`, undefined, "light");
    await light.locator(".tl-bar").nth(5).waitFor();
    await light.screenshot({ path: join(shots, "timeline-light.png") });
    await light.close();
    await fitsPhone(`#/runs/${flowRunId}?tab=timeline`, ".tl-bar >> nth=5", "timeline");
  });

  it("shows a flow's runs over time, success rate, last failure and its latest run's metrics, and picks runs to compare", async () => {
    const page = await open("#/flows/e2e-train");
    await page.locator(".run-chart circle.mark").nth(2).waitFor();
    expect(await page.getByTestId("success-rate").innerText()).toMatch(/^66\.7%\s+of the last 3 finished/);
    const failure = page.getByTestId("last-failure");
    expect(await failure.innerText()).toContain("train-broken");
    expect(await failure.innerText()).toContain("ValueError: depth must be positive");
    const metric = page.locator('tr[data-metric="loss"]');
    await metric.waitFor();
    expect(await metric.locator("td").first().innerText()).toBe(String(loss(0.01).at(-1)));
    expect(await page.getByRole("heading", { name: /Latest metrics/ }).innerText()).toContain(
      "train-lr-0.01",
    );
    // Deployments: listed when the server has them, nothing at all when it answers 404.
    const deployments = await fetch(`${server.url}/api/deployments`);
    expect(await page.getByTestId("flow-deployments").count()).toBe(deployments.ok ? 1 : 0);
    await page.waitForTimeout(200);
    await page.screenshot({ path: join(shots, "flow.png") });

    for (const run of train)
      await page.getByRole("checkbox", { name: `Select ${run.name} to compare` }).check();
    await page.getByRole("link", { name: "Compare 2 runs" }).click();
    await page.waitForURL(/#\/compare\?runs=/);
    const ids = new URL(page.url().replace("#/", "")).searchParams.get("runs")!.split(",");
    expect(ids.sort()).toEqual(train.map((r) => r.id).sort());
    await page.close();
    await fitsPhone("#/flows/e2e-train", ".run-chart circle.mark >> nth=2", "flow");
  });

  it("overlays the compared runs' metrics on one chart, with min, max and last per run and their parameters side by side", async () => {
    const hash = `#/compare?runs=${train.map((r) => r.id).join(",")}`;
    const page = await open(hash);
    const chart = page.locator('figure[data-metric="loss"][data-points="40"]');
    await chart.locator("canvas").waitFor();
    for (const [run, lr] of [
      [train[0]!, 0.1],
      [train[1]!, 0.01],
    ] as const) {
      const row = chart.locator(`tr[data-series="${run.name}"]`);
      const values = loss(lr);
      expect(await row.locator('[data-stat="min"]').innerText()).toBe(String(Math.min(...values)));
      expect(await row.locator('[data-stat="max"]').innerText()).toBe(String(Math.max(...values)));
      expect(await row.locator('[data-stat="last"]').innerText()).toBe(String(values.at(-1)));
    }
    expect(await page.locator('tr[data-param="lr"]').getAttribute("class")).toBe("differs");
    expect(await page.locator('tr[data-param="lr"] td').allInnerTexts()).toEqual(["0.1", "0.01"]);
    expect(await page.locator('tr[data-param="depth"]').getAttribute("class")).toBeNull();

    // Aligned by time since each run started, both lines start at 0 s though the runs began 10 min apart.
    await page.getByLabel("X axis").selectOption("elapsed");
    const plot = (await chart.locator(".u-over").boundingBox())!;
    await page.mouse.move(plot.x + 1, plot.y + plot.height / 2);
    await expect.poll(() => chart.getByTestId("cursor-x").innerText()).toBe("0s in");
    expect(await chart.locator('[data-stat="cursor"]').allInnerTexts()).toEqual(["1", "1"]);
    await page.screenshot({ path: join(shots, "compare.png") });
    await page.close();
    await fitsPhone(hash, 'figure[data-metric="loss"] canvas', "compare");
  });

  it("shows the value under the cursor and keeps a zoom when new points arrive", async () => {
    const run = await seeder.run({ flowName: "e2e-live-metrics", name: "live-metrics" });
    const values = loss(0.05);
    await seeder.metrics(run.id, "loss", values);
    const page = await open(`#/runs/${run.id}?tab=metrics`);
    const chart = page.locator('figure[data-metric="loss"][data-points="20"]');
    const plot = chart.locator(".u-over");
    await plot.waitFor();
    const box = (await plot.boundingBox())!;
    // Steps 0…19 across the plot: the cursor at 10/19 of the width is on step 10.
    await page.mouse.move(box.x + (box.width * 10) / 19, box.y + box.height / 2);
    await expect.poll(() => chart.getByTestId("cursor-x").innerText()).toBe("step 10");
    expect(await chart.locator('[data-stat="cursor"]').innerText()).toBe(String(values[10]));

    await page.mouse.move(box.x + box.width * 0.2, box.y + 20);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + 20, { steps: 5 });
    await page.mouse.up();
    await expect.poll(() => chart.getAttribute("data-x-range")).toMatch(/^\d/);
    const zoom = await chart.getAttribute("data-x-range");
    await chart.getByRole("button", { name: "Reset zoom" }).waitFor();

    await seeder.request("POST", "/api/ingest", {
      metrics: [
        {
          runId: run.id,
          seq: 1000,
          name: "loss",
          value: 0.05,
          step: 20,
          timestamp: new Date().toISOString(),
        },
      ],
    });
    await page.locator('figure[data-metric="loss"][data-points="21"]').waitFor({ timeout: 5000 });
    const live = page.locator('figure[data-metric="loss"]');
    expect(await live.getAttribute("data-x-range")).toBe(zoom); // the zoom is the same
    expect(await live.locator('[data-stat="last"]').innerText()).toBe("0.05");
    await live.getByRole("button", { name: "Reset zoom" }).click();
    await expect.poll(() => live.getAttribute("data-x-range")).toBe("");
    await page.close();
  });

  it("charts the whole 24 hours of a busy day from server-side buckets", async () => {
    const page = await open("#/");
    const chart = page.locator(".activity-chart");
    await chart.locator("rect.mark").first().waitFor();
    const from = Date.parse((await chart.getAttribute("data-from"))!);
    const to = Date.parse((await chart.getAttribute("data-to"))!);
    expect(to - from).toBe(24 * HOUR);
    expect(Number(await chart.getAttribute("data-bucket-ms"))).toBe(15 * 60_000);
    // One snapshot of the chart: a live refresh between two reads would compare two renders.
    const { buckets, total } = await chart.evaluate((el) => ({
      buckets: [...el.querySelectorAll(".bucket")].map((e) => Number(e.getAttribute("data-total"))),
      total: Number(el.getAttribute("data-total")),
    }));
    expect(buckets).toHaveLength(96);
    expect(buckets[0]).toBeGreaterThan(0); // the busy day's first quarter hour is on the chart
    expect(buckets.reduce((a, b) => a + b, 0)).toBe(total);
    const answer = await seeder.request<Activity>(
      "GET",
      `/api/dashboard/activity?from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}&buckets=96`,
    );
    // Runs still finishing from the earlier tests may land in the window after the snapshot.
    expect(answer.total).toBeGreaterThanOrEqual(total);
    expect(answer.total).toBeGreaterThanOrEqual(2000);

    // One tab stop; arrow keys walk the buckets and each says its counts.
    await chart.locator('.bucket[tabindex="0"]').focus();
    await page.keyboard.press("Home");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toMatch(
      /\d+ runs?: \d+ Running/,
    );
    expect(await chart.locator("figcaption").innerText()).toMatch(/runs?: \d+ Running/);
    await page.screenshot({ path: join(shots, "dashboard-activity.png") });
    await page.close();
    await fitsPhone("#/", ".activity-chart rect.mark", "dashboard-activity");
  });

  it("has no serious or critical axe-core violation on these views, in both themes", async () => {
    const views = [
      [`#/runs/${flowRunId}?tab=timeline`, ".tl-bar >> nth=5"],
      [`#/runs/${flowRunId}`, ".log-line .task-chip"], // the Logs tab's task labels and Task filter
      ["#/flows/e2e-train", ".run-chart circle.mark >> nth=2"],
      [`#/compare?runs=${train.map((r) => r.id).join(",")}`, 'figure[data-metric="loss"] canvas'],
      ["#/", ".activity-chart rect.mark"],
    ] as const;
    const found: string[] = [];
    for (const theme of ["dark", "light"])
      for (const [hash, ready] of views) {
        const page = await open(hash, undefined, theme);
        await page.locator(ready).first().waitFor();
        await page.addScriptTag({ path: axePath });
        const violations = await page.evaluate(async () => {
          const axe = (window as unknown as { axe: { run: (o: object) => Promise<AxeResults> } }).axe;
          const result = await axe.run({ resultTypes: ["violations"] });
          return result.violations
            .filter((v) => v.impact === "serious" || v.impact === "critical")
            .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
        });
        found.push(...violations.map((v) => `${theme} ${hash} ${v}`));
        await page.close();
      }
    expect(found).toEqual([]);
  }, 120_000);

  it("raised no uncaught errors in the page", () => {
    expect(pageErrors).toEqual([]);
  });
});
