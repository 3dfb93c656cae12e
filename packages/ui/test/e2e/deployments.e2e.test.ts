import type { Deployment, SchedulePreview } from "@weir/protocol";
import { probeChromium, requireService } from "@weir/test-support";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { API_KEY, DeployFixture, DESKTOP, monitorDeployment, PHONE } from "./deploy-fixture.js";

const chromiumPath = await requireService("Chromium", () => probeChromium());

describe.skipIf(chromiumPath.skip)(
  "deployments in the dashboard, in Chromium against a real Weir server",
  () => {
    const f = new DeployFixture();
    let monitor: Deployment;

    beforeAll(async () => {
      await f.start(chromiumPath.value!);
      monitor = await f.deploy(monitorDeployment());
    }, 120_000);

    afterAll(() => f.stop());

    const item = (page: Page, name = "metrics-monitor"): Locator =>
      page.locator(`li.deployment[data-deployment="${name}"]`);

    it("lists a deployment made through the API with its flow, its schedule in words and its next runs", async () => {
      const page = await f.open("#/deployments");
      await item(page).waitFor();
      const text = await item(page).innerText();
      expect(text).toContain("river-metrics-monitor");
      expect(text).toContain("*/5 * * * * · Europe/Berlin");
      const preview = await f.seeder.request<SchedulePreview>(
        "GET",
        `/api/schedule/preview?cron=${encodeURIComponent("*/5 * * * *")}&timezone=Europe/Berlin&count=3`,
      );
      expect(preview.description.toLowerCase()).toMatch(/5 minutes/);
      const words = await item(page).locator(".schedule-words").textContent();
      expect(words).toBe(preview.description);
      const nextShown = () =>
        item(page)
          .locator(".next-runs time")
          .evaluateAll((els) => els.map((e) => e.getAttribute("datetime") ?? ""));
      expect(monitor.nextRuns).toHaveLength(5);
      // The slots the server planned, the first three on screen (a 5-minute boundary passing between
      // the two reads moves both on by one slot).
      await expect
        .poll(async () => {
          const [shown, planned] = await Promise.all([nextShown(), f.deployment("metrics-monitor")]);
          return shown.join() === planned.nextRuns.slice(0, 3).join() ? shown.length : shown;
        })
        .toBe(3);
      for (const t of await nextShown()) expect(new Date(t).getUTCMinutes() % 5).toBe(0);
      expect(await item(page).locator(".next-runs li").first().innerText()).toMatch(/in \d+( min|s)/);
      expect(await item(page).innerText()).toContain("No runs yet");
      await page.close();
    });

    it("asks for the API key on the first write, says when it is wrong, then pauses and resumes", async () => {
      const page = await f.open("#/deployments", { keyless: true, expected: /status of 401/ });
      await item(page).waitFor();
      await item(page).getByRole("button", { name: "Pause metrics-monitor" }).click();
      const dialog = page.getByRole("dialog", { name: "API key needed" });
      await dialog.waitFor();
      expect(await dialog.innerText()).toContain("requires an API key");
      await dialog.getByLabel("API key").fill("not-the-key");
      await dialog.getByRole("button", { name: "Send" }).click();
      await dialog.getByText("The API key is wrong").waitFor();
      expect((await f.deployment("metrics-monitor")).paused).toBe(false);
      await dialog.getByLabel("API key").fill(API_KEY);
      await page.keyboard.press("Enter");

      await item(page).getByTestId("paused").waitFor();
      expect(await dialog.isVisible()).toBe(false);
      expect((await f.deployment("metrics-monitor")).paused).toBe(true);
      expect(await item(page).locator(".next-runs").count()).toBe(0);
      expect(await page.evaluate(() => sessionStorage.getItem("weir-api-key"))).toBe(API_KEY);

      // The key is kept for this tab: Resume sends it without asking again.
      await item(page).getByRole("button", { name: "Resume metrics-monitor" }).click();
      await item(page).getByTestId("paused").waitFor({ state: "detached" });
      expect(await dialog.isVisible()).toBe(false);
      expect((await f.deployment("metrics-monitor")).paused).toBe(false);
      await item(page).locator(".next-runs li").first().waitFor();
      await page.close();
    });

    it("refuses a bad parameter with the schema's message next to its field, and creates no run", async () => {
      const page = await f.open("#/deployments", { expected: /status of 400/ });
      await item(page).getByRole("button", { name: "Run metrics-monitor" }).click();
      const dialog = page.getByRole("dialog", { name: "Run metrics-monitor" });
      const threshold = dialog.getByLabel("threshold");
      expect(await threshold.inputValue()).toBe("0.6");
      expect(await dialog.getByLabel("topic").inputValue()).toBe("river_metrics");
      expect(await dialog.getByLabel("mode").inputValue()).not.toBe("");
      await threshold.fill("7");
      await dialog.getByRole("button", { name: "Start run" }).click();
      const error = dialog.getByTestId("param-error-threshold");
      await error.waitFor();
      expect(await error.innerText()).toBe("must be <= 1");
      expect(await threshold.getAttribute("aria-invalid")).toBe("true");
      expect(await threshold.getAttribute("aria-describedby")).toContain(await error.getAttribute("id"));
      await expect
        .poll(() => page.evaluate(() => document.activeElement?.getAttribute("name")))
        .toBe("threshold");
      // Its schedule made Scheduled runs ahead of time; "Run now" makes Pending ones, and made none.
      expect(await f.runsOf(monitor.id, "Pending")).toEqual([]);
      await page.screenshot({ path: `${f.shots}/deployment-run-refused.png` });

      // Escape closes the form and gives the focus back to its Run button.
      await page.keyboard.press("Escape");
      await dialog.waitFor({ state: "hidden" });
      expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe(
        "Run metrics-monitor",
      );
      await page.close();
    });

    it("starts a Pending run with good parameters, merged over the defaults, shown in the last runs", async () => {
      const page = await f.open("#/deployments");
      const run = item(page).getByRole("button", { name: "Run metrics-monitor" });
      await run.focus();
      await page.keyboard.press("Enter");
      const dialog = page.getByRole("dialog", { name: "Run metrics-monitor" });
      await dialog.getByLabel("threshold").fill("0.8");
      await dialog.getByLabel("alert").check();
      await dialog.getByLabel("channels").fill("email\nslack");
      await dialog.getByRole("button", { name: "Start run" }).click();
      await dialog.waitFor({ state: "hidden" });
      const started = item(page).getByRole("status").getByRole("link");
      await started.waitFor();

      const [created, ...more] = await f.runsOf(monitor.id, "Pending");
      expect(more).toEqual([]);
      expect(created?.state).toBe("Pending");
      expect(created?.parameters).toEqual({
        topic: "river_metrics",
        threshold: 0.8,
        window: 50,
        mode: "both",
        alert: true,
        channels: ["email", "slack"],
      });
      expect(await started.getAttribute("href")).toBe(`#/runs/${created!.id}`);
      await item(page).locator('.last-runs .badge[data-state="Pending"]').waitFor();
      await page.close();
    });

    it("cancels a run that no worker has claimed at once, and Retry makes a new run linked to it", async () => {
      const [pending] = await f.runsOf(monitor.id, "Pending");
      const page = await f.open(`#/runs/${pending!.id}`);
      await page.locator('[data-testid="run-state"] .badge[data-state="Pending"]').waitFor();
      await expect.poll(() => page.getByTestId("run-deployment").innerText()).toBe("metrics-monitor v1");
      expect(await page.getByRole("button", { name: "Retry" }).count()).toBe(0);
      await page.getByRole("button", { name: "Cancel run" }).click();
      await page.getByRole("button", { name: "Yes, cancel it" }).click();
      await page.locator('[data-testid="run-state"] .badge[data-state="Cancelled"]').waitFor();
      expect((await f.run(pending!.id)).state).toBe("Cancelled");
      expect(await page.getByRole("button", { name: "Cancel run" }).count()).toBe(0);

      await page.getByRole("button", { name: "Retry" }).click();
      await page.waitForURL(
        (url) => /#\/runs\/[0-9a-f-]{36}$/.test(url.hash) && !url.hash.includes(pending!.id),
      );
      const retryId = new URL(page.url()).hash.replace("#/runs/", "");
      const retry = await f.run(retryId);
      expect(retry).toMatchObject({ retryOf: pending!.id, deploymentId: monitor.id, state: "Pending" });
      expect(retry.parameters).toEqual(pending!.parameters);
      expect(await page.getByTestId("run-retry-of").getAttribute("href")).toBe(`#/runs/${pending!.id}`);
      await page.locator('[data-testid="run-state"] .badge[data-state="Pending"]').waitFor();
      await page.getByRole("button", { name: "Cancel run" }).click();
      await page.getByRole("button", { name: "Yes, cancel it" }).click();
      await page.locator('[data-testid="run-state"] .badge[data-state="Cancelled"]').waitFor();
      await page.close();
    });

    it("shows a deployment's page: details, schedule with next runs, defaults, its runs; paused, when it would run; an unknown one is not found", async () => {
      const page = await f.open("#/deployments/metrics-monitor");
      await page.getByRole("heading", { name: /metrics-monitor/, level: 1 }).waitFor();
      const details = await page.locator("section", { hasText: "Details" }).innerText();
      expect(details).toContain("./deployed-flows.mjs:watch");
      expect(details).toContain("nobody-listens");
      expect(await page.locator("section", { hasText: "Schedule" }).locator(".next-runs li").count()).toBe(5);
      await page.getByRole("table", { name: "Runs of metrics-monitor" }).locator("tbody tr").nth(1).waitFor();
      expect(await page.getByRole("rowheader", { name: "threshold" }).count()).toBe(1);

      await page.getByRole("button", { name: "Pause metrics-monitor" }).click();
      await page.getByText("Once resumed, it would next run at").waitFor();
      const wouldRun = await page
        .locator("section", { hasText: "Schedule" })
        .locator(".next-runs time")
        .evaluateAll((els) => els.map((e) => e.getAttribute("datetime")));
      expect(wouldRun).toHaveLength(5);
      expect((await f.deployment("metrics-monitor")).nextRuns).toEqual([]);
      await page.getByRole("button", { name: "Resume metrics-monitor" }).click();
      await page
        .locator("section", { hasText: "Schedule" })
        .getByRole("heading", { name: "Next runs" })
        .waitFor();
      await page.close();

      const missing = await f.open("#/deployments/no-such-deployment", { expected: /status of 404/ });
      await missing.getByRole("heading", { name: "Deployment not found" }).waitFor();
      expect(await missing.getByTestId("not-found").innerText()).toContain("no-such-deployment");
      await missing.getByRole("link", { name: "See all deployments" }).click();
      await missing.locator("li.deployment").first().waitFor();
      await missing.close();
    });

    it("lists a deployment's versions: redeployed with a changed parameter, version 2 shows the change", async () => {
      const page = await f.open("#/deployments/metrics-monitor");
      const versions = page.getByRole("table", { name: "Versions of metrics-monitor" });
      const row = (v: number) => versions.locator(`tbody tr[data-version="${v}"]`);
      await row(1).waitFor();
      expect(await row(1).innerText()).toMatch(/v1 \(current\)[\s\S]*First version/);
      const before = monitorDeployment().parameters!;
      const redeployed = await f.deploy(monitorDeployment({ parameters: { ...before, threshold: 0.7 } }));
      expect(redeployed.version).toBe(2);

      await page.reload();
      await row(2).waitFor();
      expect(
        await versions.locator("tbody tr").evaluateAll((rows) => rows.map((r) => r.dataset.version)),
      ).toEqual(["2", "1"]);
      expect(await row(2).locator("th").innerText()).toBe("v2 (current)");
      expect(await row(1).locator("th").innerText()).toBe("v1");
      const changes = row(2).locator(".version-changes li");
      expect(await changes.count()).toBe(1);
      expect(await changes.first().innerText()).toBe("parameters.threshold: 0.6 → 0.7");
      const when = await row(2).locator("time").getAttribute("datetime");
      expect(Date.parse(when!)).toBe(Date.parse(redeployed.updatedAt));
      await page.close();
    });

    it("shows Scheduled and Late runs on the runs list, with when they were due, and on the activity chart", async () => {
      const late = await f.deploy(
        monitorDeployment({
          name: "late-job",
          schedule: { intervalMs: 2000 },
          lateAfterMs: 300,
          parameters: { topic: "river_metrics", threshold: 0.5 },
        }),
      );
      await expect
        .poll(async () => (await f.runsOf(late.id, "Late")).length, { timeout: 15_000 })
        .toBeGreaterThan(0);
      const page = await f.open(`#/runs?state=Scheduled`);
      const rows = page.locator("table.runs tbody tr");
      await page.locator('table.runs tr[data-state="Scheduled"]').first().waitFor();
      expect(await rows.first().innerText()).toMatch(/scheduled in \d+( min|s)/);
      expect(await page.locator('.run-chart [data-state="Scheduled"][data-waiting]').count()).toBeGreaterThan(
        0,
      );

      await page.getByRole("checkbox", { name: "Scheduled", exact: true }).uncheck();
      await page.getByRole("checkbox", { name: "Late", exact: true }).check();
      await page.locator('table.runs tr[data-state="Late"]').first().waitFor();
      expect(new Set(await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-state"))))).toEqual(
        new Set(["Late"]),
      );
      expect(await rows.first().innerText()).toMatch(/due (\d+s|\d+ min) ago|due just now/);
      await page.screenshot({ path: `${f.shots}/runs-late.png` });
      await page.close();

      // The dashboard's activity chart counts them in their own colours.
      const dashboard = await f.open("#/?range=1h");
      await dashboard.locator('.activity-chart rect.mark[data-state="Late"]').first().waitFor();
      await dashboard.close();
      await f.seeder.request("POST", "/api/deployments/late-job/pause", {});
    }, 60_000);

    it("fits a 390 px phone and a desktop without sideways scrolling, with the run form open too", async () => {
      const [anyRun] = await f.runsOf(monitor.id);
      const views = [
        { name: "deployments", hash: "#/deployments", ready: "li.deployment" },
        { name: "deployment", hash: "#/deployments/metrics-monitor", ready: "table.runs tbody tr" },
        { name: "workers", hash: "#/workers", ready: "h2#pools-h" },
        { name: "run-actions", hash: `#/runs/${anyRun!.id}`, ready: ".run-actions button" },
      ];
      for (const [device, viewport] of [
        ["desktop", DESKTOP],
        ["phone", PHONE],
      ] as const) {
        for (const view of views) {
          const page = await f.open(view.hash, { viewport });
          await page.locator(view.ready).first().waitFor();
          const { pageWidth, screenWidth } = await f.fits(page, `${view.name}-${device}`);
          expect(pageWidth, `${view.name} on ${device}`).toBeLessThanOrEqual(screenWidth);
          if (view.name === "deployments") {
            await item(page).getByRole("button", { name: "Run metrics-monitor" }).click();
            await page.getByRole("dialog", { name: "Run metrics-monitor" }).getByLabel("threshold").waitFor();
            const open = await f.fits(page, `deployment-run-form-${device}`);
            expect(open.pageWidth).toBeLessThanOrEqual(open.screenWidth);
          }
          await page.close();
        }
      }
    }, 90_000);

    it("has no serious or critical axe-core violation on these views, in both themes", async () => {
      const [anyRun] = await f.runsOf(monitor.id);
      const views = [
        ["#/deployments", "li.deployment", false],
        ["#/deployments", "li.deployment", true],
        ["#/deployments/metrics-monitor", "table.runs tbody tr", false],
        ["#/workers", "h2#pools-h", false],
        [`#/runs/${anyRun!.id}`, ".run-actions button", false],
      ] as const;
      const found: string[] = [];
      for (const theme of ["dark", "light"] as const)
        for (const [hash, ready, form] of views) {
          const page = await f.open(hash, { theme });
          await page.locator(ready).first().waitFor();
          if (form) {
            await item(page).getByRole("button", { name: "Run metrics-monitor" }).click();
            await page.getByRole("dialog").getByLabel("threshold").waitFor();
          }
          if (theme === "light" && hash === "#/deployments" && !form)
            await page.screenshot({ path: `${f.shots}/deployments-light.png` });
          found.push(...(await f.axe(page)).map((v) => `${theme} ${hash}${form ? " (form)" : ""} ${v}`));
          await page.close();
        }
      expect(found).toEqual([]);
    }, 120_000);

    it("raised no uncaught errors and logged no unexpected console errors", () => {
      expect(f.problems).toEqual([]);
    });
  },
);
