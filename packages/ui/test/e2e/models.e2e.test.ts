import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { startServer } from "@weir/server";
import { freshPostgresDatabase, probeChromium, probePostgres, requireService } from "@weir/test-support";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { buildUi, launchChromium, screenshotDir } from "./browser.js";
import { ModelClient, publishSentimentModel, publishSpamModel, REVIEWS } from "./model-seed.js";
import { Seeder } from "./seed.js";

const chromiumPath = await requireService("Chromium", () => probeChromium());
const postgres = await requireService("PostgreSQL", () => probePostgres());

const MODEL = "yelp-sentiment";

describe.skipIf(chromiumPath.skip)("the Models pages in a real browser against a real Weir server", () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let browser: Browser;
  let dataDir: string;
  let uiDir: string;
  let shots: string;
  let client: ModelClient;
  let runId: string;
  /** Page errors and console errors of every page, but for the failed requests a test expects. */
  const problems: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "weir-ui-models-e2e-"));
    uiDir = await buildUi();
    server = await startServer({ host: "127.0.0.1", port: 0, dataDir, uiDir, apiKey: "" });
    const run = await new Seeder(server.url).run({ flowName: "sentiment-trainer", name: "learn-yelp" });
    runId = run.id;
    client = new ModelClient(server.url);
    await publishSentimentModel(client, MODEL, runId);
    await publishSpamModel(client, "spam-filter");
    browser = await launchChromium(chromiumPath.value!);
    shots = screenshotDir();
    mkdirSync(shots, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    for (const dir of [dataDir, uiDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function open(
    hash: string,
    viewport = { width: 1360, height: 900 },
    expected?: RegExp,
  ): Promise<Page> {
    const page = await browser.newPage({ viewport, isMobile: viewport.width < 500 });
    page.on("pageerror", (e) => problems.push(`${hash}: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error" && !expected?.test(m.text())) problems.push(`${hash}: ${m.text()}`);
    });
    await page.goto(`${server.url}/${hash}`);
    return page;
  }

  const row = (page: Page) => page.locator(`table.models tr[data-model="${MODEL}"]`);
  const aliasesOf = (page: Page, scope: string) =>
    page
      .locator(`${scope} li.alias`)
      .evaluateAll((els) =>
        els.map((e) => `${e.getAttribute("data-alias")}=${e.getAttribute("data-version")}`),
      );

  it("lists the model with its aliases and latest version, and its predictions per second move live", async () => {
    const page = await open("#/models");
    await row(page).waitFor();
    expect(await aliasesOf(page, `tr[data-model="${MODEL}"]`)).toEqual([
      "candidate=3",
      "production=2",
      "latest=3",
    ]);
    expect(await row(page).getByTestId("latest-version").innerText()).toBe("v3");
    const rate = row(page).getByTestId("rate");
    expect(await rate.innerText()).toBe("0/s");
    // Predictions made elsewhere show up without reloading the page.
    for (const [text] of REVIEWS.slice(0, 6)) await client.predict(MODEL, text, "?version=3");
    await page.waitForFunction(
      (sel) => document.querySelector(sel)?.textContent !== "0/s",
      `tr[data-model="${MODEL}"] [data-testid="rate"]`,
      { timeout: 10_000 },
    );
    await row(page).getByRole("link", { name: MODEL }).click();
    await page.waitForURL(/#\/models\/yelp-sentiment$/);
    await page.getByRole("heading", { level: 1, name: new RegExp(MODEL) }).waitFor();
    await page.close();
  });

  it("shows each version with its metrics and the run that made it, newest first", async () => {
    const page = await open(`#/models/${MODEL}`);
    const rows = page.locator("table.versions tbody tr");
    await rows.nth(2).waitFor();
    expect(await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-version")))).toEqual([
      "3",
      "2",
      "1",
    ]);
    const v3 = page.locator('table.versions tr[data-version="3"]');
    expect(await v3.locator('[data-metric="reviews"]').innerText()).toMatch(/reviews\s+12/);
    expect(await v3.locator('[data-metric="accuracy"]').innerText()).toMatch(/accuracy\s+0\.\d+/);
    expect(await v3.innerText()).toContain("Learned every review of the seed");
    expect(await aliasesOf(page, 'table.versions tr[data-version="2"]')).toEqual(["production=2"]);
    await v3.getByRole("link", { name: /^run / }).click();
    await page.waitForURL(new RegExp(`#/runs/${runId}$`));
    await page.getByRole("heading", { name: /learn-yelp/ }).waitFor();
    await page.close();
  });

  it("rolls production back to version 1 after a confirmation, and predictions then come from version 1", async () => {
    const page = await open(`#/models/${MODEL}`);
    const promote = page.getByRole("button", { name: "Promote or roll back to version 1" });
    // Escape cancels, and focus goes back to the button that opened the dialog.
    await promote.focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: /version 1/ });
    await dialog.waitFor();
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe(
      "Promote or roll back to version 1",
    );
    expect((await client.predict(MODEL, "great food")).version).toBe(2);

    await page.keyboard.press("Enter");
    await dialog.waitFor();
    expect(await page.getByLabel("Alias").inputValue()).toBe("production");
    expect(await dialog.innerText()).toContain(
      "production points at version 2 now; it will point at version 1.",
    );
    await dialog.getByRole("button", { name: "Roll back to version 1" }).click();
    await page
      .getByRole("status")
      .filter({ hasText: "production now points at version 1 (was version 2)." })
      .waitFor();
    await dialog.waitFor({ state: "detached" });
    await page.getByTestId("serving").filter({ hasText: "production → v1" }).waitFor();
    expect(await aliasesOf(page, 'table.versions tr[data-version="1"]')).toEqual(["production=1"]);
    const answer = await client.predict(MODEL, "great food");
    expect(answer.version).toBe(1);

    // Pointing an alias where it already points is not offered.
    await page.getByRole("button", { name: "Promote or roll back to version 1" }).click();
    await dialog.waitFor();
    expect(await dialog.getByRole("button", { name: /to version 1/ }).isDisabled()).toBe(true);
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "detached" });
    await page.close();
  });

  it("answers a typed text in the Try it box with the class, a bar per class and the version that answered", async () => {
    const page = await open(`#/models/${MODEL}`);
    const text = "Great food and the desserts were loved";
    await page.getByLabel("Answer from").selectOption("version:3");
    await page.getByLabel("Text to classify").fill(text);
    await page.keyboard.press("Control+Enter");
    const result = page.locator(".prediction");
    await result.waitFor();
    const expected = await client.predict(MODEL, text, "?version=3");
    const p = expected.predictions[0]!;
    expect(await result.getAttribute("data-version")).toBe("3");
    expect(await result.locator(".predicted").innerText()).toBe(String(p.label));
    const bars = await result
      .locator(".proba li")
      .evaluateAll((els) =>
        els.map((e) => [e.getAttribute("data-class"), e.querySelector(".proba-value")?.textContent]),
      );
    const want = Object.entries(p.probabilities)
      .sort(([, a], [, b]) => b - a)
      .map(([c, v]) => [c, `${(v * 100).toFixed(1)}%`]);
    expect(bars).toEqual(want);
    expect(await result.locator('.proba li[aria-current="true"]').getAttribute("data-class")).toBe(
      String(p.label),
    );
    await page.close();
  });

  it("draws the live accuracy from late labels, and adds points as labels arrive", async () => {
    /** Predicts `texts`, labels each with its true sentiment, and returns how many were right. */
    const predictAndLabel = async (rows: [string, number][]): Promise<number> => {
      const answers = [];
      for (const [text] of rows) answers.push(await client.predict(MODEL, text));
      await client.label(
        MODEL,
        answers.map((a, i) => ({ id: a.predictions[0]!.id, label: rows[i]![1] })),
      );
      return answers.filter((a, i) => a.predictions[0]!.label === rows[i]![1]).length;
    };
    let right = await predictAndLabel(REVIEWS.slice(0, 4));
    const page = await open(`#/models/${MODEL}?window=5m`);
    const chart = page.locator('figure[data-metric="accuracy"]');
    await chart.locator("canvas").waitFor();
    expect(await chart.getAttribute("data-points")).toBe("1");
    // The 5-minute window is cut into 5-second buckets: labels a bucket later make another point,
    // drawn without reloading the page.
    for (const [batch, from] of [4, 8].entries()) {
      await page.waitForTimeout(5500);
      right += await predictAndLabel(REVIEWS.slice(from, from + 4));
      await page
        .locator(`figure[data-metric="accuracy"][data-points="${batch + 2}"]`)
        .waitFor({ timeout: 15_000 });
    }
    const v1 = page.locator('table.feedback tr[data-version="1"]');
    await v1.filter({ hasText: String(REVIEWS.length) }).waitFor();
    const cells = await v1.locator("td").allInnerTexts();
    expect(cells[0]).toBe(String(REVIEWS.length));
    expect(cells[1]).toBe(`${((right / REVIEWS.length) * 100).toFixed(1)}%`);
    await page.close();
  });

  it("takes a features record as JSON for a features model, and says what is wrong with a bad one", async () => {
    const page = await open("#/models/spam-filter", undefined, /status of 400/);
    const input = page.getByLabel("Features (a JSON object)");
    await input.fill("free money");
    await page.getByRole("button", { name: "Predict" }).click();
    await page
      .getByRole("alert")
      .filter({ hasText: "This model takes features: write them as a JSON object" })
      .waitFor();
    await input.fill('{"free": 3, "prize": 1}');
    await page.getByRole("button", { name: "Predict" }).click();
    await page.locator(".prediction .predicted").filter({ hasText: "spam" }).waitFor();
    expect(await page.getByRole("alert").count()).toBe(0);
    await input.fill('{"free": true}');
    await page.getByRole("button", { name: "Predict" }).click();
    const refusal = page.getByRole("alert");
    await refusal.waitFor();
    expect(await refusal.innerText()).toMatch(/input/i);
    await page.close();
  });

  it("says so for an unknown model, with a link back to the models", async () => {
    const page = await open("#/models/no-such-model", undefined, /status of 404/);
    await page.getByRole("heading", { name: "Model not found" }).waitFor();
    expect(await page.getByTestId("not-found").innerText()).toContain("No model is named no-such-model.");
    // An answer of 404 is final: the page does not keep asking (the model page polls every 2 s).
    let reads = 0;
    page.on("request", (r) => {
      if (new URL(r.url()).pathname === "/api/models/no-such-model") reads++;
    });
    await page.waitForTimeout(2500);
    expect(reads).toBe(0);
    await page.getByRole("link", { name: "See all models" }).click();
    await row(page).waitFor();
    await page.close();

    // A name that cannot be a model's: the server's reason, shown as text.
    const bad = await open("#/models/two%20words%3Cb%3Ebold%3C%2Fb%3E", undefined, /status of 400/);
    const note = bad.getByTestId("not-found");
    await note.filter({ hasText: "two words<b>bold</b> is not a model name:" }).waitFor();
    expect(await note.locator("b").count()).toBe(0);
    await bad.close();
  });

  it("fits a desktop and a 390 px phone without sideways scrolling", async () => {
    const views = [
      { name: "models", hash: "#/models", ready: `tr[data-model="${MODEL}"]` },
      { name: "model", hash: `#/models/${MODEL}?window=5m`, ready: 'figure[data-metric="accuracy"] canvas' },
      { name: "model-not-found", hash: "#/models/no-such-model", ready: "h1" },
    ];
    for (const [device, viewport] of [
      ["desktop", { width: 1360, height: 900 }],
      ["phone", { width: 390, height: 844 }],
    ] as const) {
      for (const view of views) {
        const page = await open(view.hash, viewport, /status of 404/);
        await page.locator(view.ready).first().waitFor();
        if (view.name === "model") {
          await page.getByLabel("Text to classify").fill("The food was great");
          await page.getByRole("button", { name: "Predict" }).click();
          await page.locator(".prediction").waitFor();
        }
        await page.evaluate(() => window.scrollTo(0, 0));
        await page.mouse.move(0, 0);
        await page.waitForTimeout(300);
        await page.screenshot({ path: join(shots, `${view.name}-${device}.png`), fullPage: true });
        const [scrollWidth, innerWidth] = await page.evaluate(() => [
          document.documentElement.scrollWidth,
          window.innerWidth,
        ]);
        expect(scrollWidth, `${view.name} on ${device} scrolls sideways`).toBeLessThanOrEqual(innerWidth);
        expect(innerWidth).toBe(viewport.width);
        await page.close();
      }
    }
  });

  it("had no page errors and no console errors", () => {
    expect(problems).toEqual([]);
  });
});

describe.skipIf(chromiumPath.skip || postgres.skip)(
  "promoting from the Models page of a server with an API key, on PostgreSQL",
  () => {
    it("asks for the key when the server refuses the write, then promotes with it", async () => {
      const db = await freshPostgresDatabase(postgres.value!);
      const dataDir = mkdtempSync(join(tmpdir(), "weir-ui-models-key-"));
      const uiDir = await buildUi();
      const server = await startServer({
        host: "127.0.0.1",
        port: 0,
        dataDir,
        uiDir,
        db: db.url,
        apiKey: "s3cret",
      });
      const browser = await launchChromium(chromiumPath.value!);
      try {
        const run = await new ModelClient(server.url, "s3cret").request<{ id: string }>("POST", "/api/runs", {
          id: crypto.randomUUID(),
          kind: "flow",
          state: "Running",
          flowName: "sentiment-trainer",
        });
        const client = new ModelClient(server.url, "s3cret");
        await publishSentimentModel(client, MODEL, run.id);
        await expect(
          new ModelClient(server.url).setAlias(MODEL, "production", { version: 3 }),
        ).rejects.toThrow(/401/);

        const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
        const errors: string[] = [];
        page.on("pageerror", (e) => errors.push(e.message));
        page.on("console", (m) => {
          if (m.type() === "error" && !/status of 401/.test(m.text())) errors.push(m.text());
        });
        await page.goto(`${server.url}/#/models/${MODEL}`);
        await page.getByRole("button", { name: "Promote or roll back to version 3" }).click();
        const confirm = page.getByRole("dialog", { name: /version 3/ });
        await confirm.getByRole("button", { name: "Promote to version 3" }).click();
        const keyDialog = page.getByRole("dialog", { name: "API key needed" });
        await keyDialog.waitFor();
        await keyDialog.getByLabel("API key").fill("s3cret");
        await keyDialog.getByRole("button", { name: "Send" }).click();
        await page
          .getByRole("status")
          .filter({ hasText: "production now points at version 3 (was version 2)." })
          .waitFor();
        expect((await client.predict(MODEL, "great food")).version).toBe(3);
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
        await server.close();
        await db.drop();
        for (const dir of [dataDir, uiDir]) rmSync(dir, { recursive: true, force: true });
      }
    }, 120_000);
  },
);
