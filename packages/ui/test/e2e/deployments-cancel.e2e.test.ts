import type { ChildProcessWithoutNullStreams } from "node:child_process";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

import type { StateHistoryEntry } from "@weir/protocol";
import type { PostgresDatabase } from "@weir/test-support";
import {
  freshPostgresDatabase,
  probeChromium,
  probePostgres,
  repoRoot,
  requireService,
} from "@weir/test-support";
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { uiRoot } from "./browser.js";
import { API_KEY, DeployFixture, monitorDeployment, PHONE } from "./deploy-fixture.js";

const chromiumPath = await requireService("Chromium", () => probeChromium());
const postgres = await requireService("PostgreSQL", () => probePostgres());

/** Each backend the server stores runs in: SQLite, and PostgreSQL where one is running. */
const BACKENDS = [
  { backend: "SQLite", postgresUrl: undefined },
  ...(postgres.skip ? [] : [{ backend: "PostgreSQL", postgresUrl: postgres.value }]),
];

/** Starts a Node process with the test server's address and key; its stdout lines are JSON messages. */
function startProcess(
  args: string[],
  env: Record<string, string>,
  onMessage: (msg: Record<string, unknown>) => void,
): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, args, { cwd: repoRoot, env: { ...process.env, ...env } });
  child.stderr.on("data", (d: Buffer) => process.stderr.write(`[${args[0]}] ${d.toString()}`));
  createInterface({ input: child.stdout }).on("line", (line) => {
    try {
      onMessage(JSON.parse(line) as Record<string, unknown>);
    } catch {
      process.stdout.write(`[${args[0]}] ${line}\n`);
    }
  });
  return child;
}

const stateBadge = (page: Page, state: string) =>
  page.locator(`[data-testid="run-state"] .badge[data-state="${state}"]`);

describe.skipIf(chromiumPath.skip).each(BACKENDS)(
  "Cancel from the dashboard, in Chromium, against real flow and worker processes ($backend)",
  ({ postgresUrl }) => {
    const f = new DeployFixture();
    const children: ChildProcessWithoutNullStreams[] = [];
    let home: string;
    let db: PostgresDatabase | undefined;

    beforeAll(async () => {
      if (postgresUrl) db = await freshPostgresDatabase(postgresUrl);
      await f.start(chromiumPath.value!, db?.url);
      home = mkdtempSync(join(tmpdir(), "weir-ui-cancel-e2e-"));
    }, 120_000);

    afterEach(() => {
      for (const child of children.splice(0))
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    });

    afterAll(async () => {
      await f.stop();
      await db?.drop();
      if (home) rmSync(home, { recursive: true, force: true });
    });

    const env = (): Record<string, string> => ({
      WEIR_API_URL: f.server.url,
      WEIR_API_KEY: API_KEY,
      WEIR_HOME: home,
      WEIR_PRINT_LOGS: "0",
    });

    it("aborts a hand-started run's ctx.signal within 2 s of the click on Cancel, and the run ends Cancelled", async () => {
      const messages: Record<string, unknown>[] = [];
      const child = startProcess([join(uiRoot, "test/e2e/cancel-flow-child.mjs")], env(), (m) =>
        messages.push(m),
      );
      children.push(child);
      await expect.poll(() => messages.find((m) => m.ready), { timeout: 15_000 }).toBeTruthy();
      const runId = messages.find((m) => m.ready)!.ready as string;
      await expect
        .poll(async () => (await f.run(runId).catch(() => null))?.state, { timeout: 10_000 })
        .toBe("Running");

      const page = await f.open(`#/runs/${runId}`);
      await stateBadge(page, "Running").waitFor();
      expect(await page.getByRole("button", { name: "Retry" }).count()).toBe(0);
      await page.getByRole("button", { name: "Cancel run" }).click();
      const confirm = page.getByRole("button", { name: "Yes, cancel it" });
      await confirm.waitFor();
      const clicked = Date.now();
      await confirm.click();
      await expect.poll(() => messages.find((m) => m.aborted), { timeout: 5000 }).toBeTruthy();
      const aborted = messages.find((m) => m.aborted)!;
      const ms = (aborted.aborted as number) - clicked;
      console.info(
        `[ui e2e] ctx.signal aborted ${ms} ms after the click on Cancel (${String(aborted.reason)})`,
      );
      expect(ms).toBeLessThanOrEqual(2000);

      await stateBadge(page, "Cancelled").waitFor({ timeout: 10_000 });
      expect((await f.run(runId)).state).toBe("Cancelled");
      const history = await f.seeder.request<StateHistoryEntry[]>("GET", `/api/runs/${runId}/states`);
      expect(history.map((s) => s.type)).toEqual(
        expect.arrayContaining(["Running", "Cancelling", "Cancelled"]),
      );
      // Hand-started: the server has no code to run again, so no Retry.
      expect(await page.getByRole("button", { name: "Retry" }).count()).toBe(0);
      await page.close();
    });

    it("runs a deployment on a real worker from the Run button, and Cancel stops it: Cancelling, then Cancelled", async () => {
      const worker = startProcess(
        [
          join(repoRoot, "packages/cli/dist/bin.js"),
          "worker",
          "start",
          ...["--pool", "e2e-pool", "--name", "e2e-worker", "--limit", "2"],
          ...["--grace-ms", "3000", "--heartbeat-ms", "400"],
        ],
        env(),
        () => undefined,
      );
      children.push(worker);
      const deployment = await f.deploy(
        monitorDeployment({
          name: "watcher",
          workPool: "e2e-pool",
          schedule: null,
          workingDirectory: join(uiRoot, "test/e2e"),
        }),
      );

      const workers = await f.open("#/workers?pool=e2e-pool");
      const row = workers.locator('tr[data-worker="e2e-worker"]');
      await row.locator('[data-health="online"]').waitFor({ timeout: 15_000 });
      expect(await row.innerText()).toMatch(/0 \/ 2/);
      expect(await workers.locator('tr[data-pool="e2e-pool"]').innerText()).toMatch(/1 \/ 1/);
      const phone = await f.open("#/workers?pool=e2e-pool", { viewport: PHONE });
      await phone.locator('tr[data-worker="e2e-worker"] [data-health="online"]').waitFor();
      const fit = await f.fits(phone, "workers-phone-live");
      expect(fit.pageWidth).toBeLessThanOrEqual(fit.screenWidth);
      await phone.close();

      const page = await f.open("#/deployments/watcher");
      await page.getByRole("button", { name: "Run watcher" }).click();
      const dialog = page.getByRole("dialog", { name: "Run watcher" });
      await dialog.getByLabel("threshold").fill("0.9");
      await dialog.getByRole("button", { name: "Start run" }).click();
      await dialog.waitFor({ state: "hidden" });
      await expect
        .poll(async () => (await f.runsOf(deployment.id, "Running")).length, { timeout: 15_000 })
        .toBe(1);
      const [running] = await f.runsOf(deployment.id, "Running");
      expect(running!.workerId).not.toBeNull();
      expect(running!.parameters.threshold).toBe(0.9);

      await page.locator("table.runs tbody tr").first().getByRole("link").click();
      await stateBadge(page, "Running").waitFor();
      await page.getByRole("button", { name: "Cancel run" }).click();
      await page.getByRole("button", { name: "Yes, cancel it" }).click();
      await stateBadge(page, "Cancelled").waitFor({ timeout: 10_000 });
      await page.getByRole("tab", { name: "Details" }).click();
      await page.locator('.timeline li[data-state="Cancelling"]').waitFor();
      await page.locator('.timeline li[data-state="Cancelled"]').waitFor();
      expect((await f.run(running!.id)).state).toBe("Cancelled");
      await page.close();

      // A worker that dies is offline once it has missed three heartbeats, without a reload.
      await f.fits(workers, "workers");
      worker.kill("SIGKILL");
      await row.locator('[data-health="offline"]').waitFor({ timeout: 10_000 });
      expect(await row.getAttribute("data-status")).toBe("offline");
      await workers.close();
    });

    it("raised no uncaught errors and logged no unexpected console errors", () => {
      expect(f.problems).toEqual([]);
    });
  },
);
