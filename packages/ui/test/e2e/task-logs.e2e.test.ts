import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import type { Page as RunPage, Run } from "@weir/protocol";
import { startServer } from "@weir/server";
import { probeChromium, requireService } from "@weir/test-support";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { buildUi, launchChromium, screenshotDir } from "./browser.js";
import { runFlowChild } from "./flow-child.js";
import { Seeder } from "./seed.js";

const chromiumPath = await requireService("Chromium", () => probeChromium());
const PHONE = { width: 390, height: 844 };

/** A shown log line: its text and the task chip before it (`null`: none). */
interface Row {
  text: string;
  task: string | null;
}

/** The log lines in the view, top to bottom. */
function rows(page: Page): Promise<Row[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll(".log-view .log-line")]
      .sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)
      .map((li) => ({
        text: li.querySelector(".message")?.textContent ?? "",
        task: li.querySelector(".task-chip")?.textContent ?? null,
      })),
  );
}

/** The chip of the line whose message contains `message` (`undefined`: no such line shown). */
const chipOf = (shown: Row[], message: string): string | null | undefined =>
  shown.find((r) => r.text.includes(message))?.task;

describe.skipIf(chromiumPath.skip)("a flow run's log lines name their task and filter by it", () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let seeder: Seeder;
  let dataDir: string;
  let uiDir: string;
  let shots: string;
  let flowRunId: string;
  const task: Record<"load" | "prepare" | "flaky", Run> = {} as never;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "weir-task-logs-e2e-"));
    uiDir = await buildUi();
    server = await startServer({ host: "127.0.0.1", port: 0, dataDir, uiDir });
    seeder = new Seeder(server.url);
    // A real flow (with @weir/flow): lines outside any task, in a task, a nested task and a retried one.
    flowRunId = await runFlowChild(server.url, "timeline-flow-child.mjs");
    const tasks = await seeder.request<RunPage<Run>>("GET", `/api/runs?kind=task&flowRunId=${flowRunId}`);
    for (const name of ["load", "prepare", "flaky"] as const)
      task[name] = tasks.items.find((r) => r.taskName === name)!;
    expect(task.flaky.runCount).toBe(2);
    browser = await launchChromium(chromiumPath.value!);
    shots = screenshotDir();
    mkdirSync(shots, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    for (const dir of [dataDir, uiDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function open(hash: string, viewport = { width: 1360, height: 900 }): Promise<Page> {
    const page = await browser.newPage({ viewport, isMobile: viewport.width < 500, acceptDownloads: true });
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.goto(`${server.url}/${hash}`);
    return page;
  }

  /** Waits until the view shows a line containing `message` and returns the lines shown. */
  async function shown(page: Page, message: string): Promise<Row[]> {
    await page.locator(".log-view .log-line", { hasText: message }).first().waitFor({ timeout: 15_000 });
    return rows(page);
  }

  it("shows the name of the task run that wrote each line, and nothing on lines outside a task", async () => {
    const page = await open(`#/runs/${flowRunId}`);
    const all = await shown(page, "the flow ends");
    expect(chipOf(all, "the flow starts")).toBeNull();
    expect(chipOf(all, "the flow ends")).toBeNull();
    expect(chipOf(all, "preparing the rows")).toBe(`Task ${task.prepare.name}`);
    expect(chipOf(all, "loaded 40 rows")).toBe(`Task ${task.load.name}`);
    expect(chipOf(all, "flaky attempt 1")).toBe(`Task ${task.flaky.name}`);
    expect(chipOf(all, "flaky attempt 2")).toBe(`Task ${task.flaky.name}`);
    await page.screenshot({ path: join(shots, "task-logs.png") });
    await page.close();
  });

  it("filters the list and the download by a task, kept in the address across a reload", async () => {
    const page = await open(`#/runs/${flowRunId}`);
    await shown(page, "the flow ends");
    const select = page.getByRole("combobox", { name: "Task" });
    const options = await select.locator("option").allTextContents();
    expect(options[0]).toBe("All tasks");
    expect(options).toContain(`${task.flaky.name} (2 attempts)`);
    expect(options).toContain(task.load.name);

    await select.selectOption(task.flaky.id);
    await page.waitForURL((u) => u.hash.includes(`task=${task.flaky.id}`));
    await page.waitForFunction(() => !document.querySelector(".log-view")?.textContent?.includes("the flow"));
    const check = async (): Promise<void> => {
      const only = await shown(page, "flaky attempt 2");
      expect(chipOf(only, "flaky attempt 1")).toBe(`Task ${task.flaky.name}`);
      expect(only.every((r) => r.task === `Task ${task.flaky.name}`)).toBe(true);
      expect(only.some((r) => r.text.includes("loaded 40 rows") || r.text.includes("the flow"))).toBe(false);
      await expect.poll(() => page.getByTestId("log-total").textContent()).toContain("match");
    };
    await check();

    await page.reload();
    await check();
    expect(await page.getByRole("combobox", { name: "Task" }).inputValue()).toBe(task.flaky.id);

    const downloaded = page.waitForEvent("download");
    await page.getByRole("button", { name: "Download" }).click();
    const file = join(dataDir, "flaky-logs.txt");
    await (await downloaded).saveAs(file);
    const text = readFileSync(file, "utf8");
    expect(text).toContain("flaky attempt 1");
    expect(text).toContain("flaky attempt 2");
    expect(text).not.toContain("the flow starts");
    expect(text).not.toContain("loaded 40 rows");

    await page.getByRole("combobox", { name: "Task" }).selectOption("");
    await page.waitForURL((u) => !u.hash.includes("task="));
    expect(chipOf(await shown(page, "the flow starts"), "the flow starts")).toBeNull();
    await page.close();
  });

  it("ignores a ?task= that cannot be a task run id, and names one it does not know", async () => {
    const hostile = await open(`#/runs/${flowRunId}?task=${encodeURIComponent("1' OR 1=1;--")}`);
    await shown(hostile, "the flow starts");
    expect(await hostile.getByRole("combobox", { name: "Task" }).inputValue()).toBe("");
    const alerts = await hostile.locator(".error, [role=alert]").allTextContents();
    expect(alerts.filter((t) => t.trim() !== "")).toEqual([]);
    await hostile.close();

    const unknown = randomUUID();
    const page = await open(`#/runs/${flowRunId}?task=${unknown}`);
    await page.getByText("No log lines match these filters.").waitFor();
    expect(await page.getByRole("combobox", { name: "Task" }).inputValue()).toBe(unknown);
    expect(await page.locator(`option[value="${unknown}"]`).textContent()).toBe(
      `task ${unknown.slice(0, 8)}`,
    );
    await page.close();
  });

  it("links each task of the Timeline (its label and its bars) to the Logs tab filtered by it", async () => {
    const page = await open(`#/runs/${flowRunId}?tab=timeline`);
    await page.getByRole("link", { name: `Logs of ${task.load.name}` }).click();
    await page.waitForURL((u) => u.hash.includes(`task=${task.load.id}`) && u.hash.includes("tab=logs"));
    const only = await shown(page, "loaded 40 rows");
    expect(only.map((r) => r.text)).toEqual([expect.stringContaining("loaded 40 rows")]);

    // A task's bar (here the retried task's second attempt) is a way there too.
    await page.goto(`${server.url}/#/runs/${flowRunId}?tab=timeline`);
    await page.locator(`.tl-row[data-run-id="${task.flaky.id}"] .tl-bar`).nth(1).click();
    await page.waitForURL((u) => u.hash.includes(`task=${task.flaky.id}`));
    expect(chipOf(await shown(page, "flaky attempt 2"), "flaky attempt 1")).toBe(`Task ${task.flaky.name}`);
    await page.close();
  });

  it("adds a running flow's new lines of the chosen task to the live tail, and not the others", async () => {
    const live = await seeder.run({ flowName: "e2e-task-live", name: "live-run" });
    const inner = await seeder.run({
      flowName: "e2e-task-live",
      kind: "task",
      name: "score-7",
      flowRunId: live.id,
      parentRunId: live.id,
    });
    const page = await open(`#/runs/${live.id}?task=${inner.id}`);
    await page.getByRole("combobox", { name: "Task" }).waitFor();
    await page.getByText("No log lines match these filters.").waitFor();
    const line = (seq: number, message: string, taskRunId?: string) => ({
      runId: live.id,
      seq,
      level: "info",
      message,
      timestamp: new Date().toISOString(),
      ...(taskRunId ? { taskRunId } : {}),
    });
    await seeder.request("POST", "/api/ingest", { logs: [line(0, "outside the task live")] });
    await seeder.request("POST", "/api/ingest", { logs: [line(1, "inside the task live", inner.id)] });
    const tail = await shown(page, "inside the task live");
    expect(tail.map((r) => r.task)).toEqual(["Task score-7"]);
    expect(tail[0]?.text).toContain("inside the task live");
    await page.close();
  });

  it("fits a phone: the filter and the chips hold at 390 px without sideways scrolling", async () => {
    const page = await open(`#/runs/${flowRunId}?task=${task.prepare.id}`, PHONE);
    await shown(page, "preparing the rows");
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(shots, "task-logs-phone.png"), fullPage: true });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width, "the Logs tab scrolls sideways on a phone").toBeLessThanOrEqual(PHONE.width);
    await page.close();
    expect(pageErrors).toEqual([]);
  });
});
