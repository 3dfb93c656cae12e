import { expect, it } from "vitest";
import { ADWIN, BagOfWords, MultinomialNB, PageHinkley, Pipeline } from "../../src/index.js";
import { describeShared, readGoldenJson, readJsonl, sharedFiles } from "../support/golden.js";
import { GOLDEN, loadYelp } from "./yelp.js";

const paths = await sharedFiles({
  yelp: "data/yelp.csv",
  synthetic: `${GOLDEN}drift_synthetic.json`,
  syntheticTrace: `${GOLDEN}drift_synthetic_trace.jsonl`,
  yelpSummary: `${GOLDEN}drift_yelp750.json`,
  yelpTrace: `${GOLDEN}drift_yelp750_trace.jsonl`,
});

interface Step {
  stream?: string;
  t: number;
  i?: number;
  x: number;
  adwin_drift: boolean;
  adwin_width: number;
  adwin_estimation: number;
  adwin_variance?: number;
  adwin_total?: number;
  adwin_n_detections?: number;
  ph_drift: boolean;
}

function replay(xs: number[]) {
  const adwin = new ADWIN();
  const ph = new PageHinkley();
  return xs.map((x) => {
    adwin.update(x);
    ph.update(x);
    return {
      adwin_drift: adwin.driftDetected,
      adwin_width: adwin.width,
      adwin_estimation: adwin.estimation,
      adwin_variance: adwin.variance,
      adwin_total: adwin.total,
      adwin_n_detections: adwin.nDetections,
      ph_drift: ph.driftDetected,
    };
  });
}

function detections(steps: { adwin_drift: boolean; ph_drift: boolean }[]) {
  return {
    ADWIN: steps.flatMap((s, t) => (s.adwin_drift ? [t] : [])),
    PageHinkley: steps.flatMap((s, t) => (s.ph_drift ? [t] : [])),
  };
}

describeShared("ADWIN and PageHinkley against River (drift_*.json*)", paths, (p) => {
  const synthetic = readGoldenJson<Record<string, { ADWIN: number[]; PageHinkley: number[] }>>(p.synthetic);
  const syntheticTrace = readJsonl<Step>(p.syntheticTrace);

  for (const stream of ["doctest_stream", "binary_drop"]) {
    it(`replays the ${stream} stream step for step: detections, width, estimation, variance, total`, () => {
      const expected = syntheticTrace.filter((s) => s.stream === stream);
      expect(expected.length).toBeGreaterThan(1000);
      const got = replay(expected.map((s) => s.x));
      expect(detections(got)).toEqual(synthetic[stream]);
      got.forEach((g, t) => {
        const e = expected[t] as Step;
        expect(
          [g.adwin_drift, g.adwin_width, g.adwin_estimation, g.adwin_variance, g.adwin_total, g.ph_drift],
          `t=${t}`,
        ).toEqual([
          e.adwin_drift,
          e.adwin_width,
          e.adwin_estimation,
          e.adwin_variance,
          e.adwin_total,
          e.ph_drift,
        ]);
      });
    });
  }

  it("detects River's documented changes on its doctest stream (ADWIN at 1023, PageHinkley at 1006)", () => {
    expect(synthetic["doctest_stream"]).toEqual({ ADWIN: [1023], PageHinkley: [1006] });
  });

  it("finds no drift on the main model's correctness and error streams, step for step as River", () => {
    const rows = loadYelp(p.yelp);
    const model = new Pipeline(new BagOfWords({ lowercase: true }), new MultinomialNB());
    const correctness: number[] = [];
    for (const row of rows) {
      const yPred = model.predictOne(row.text);
      if (yPred !== undefined) correctness.push(yPred === row.label ? 1 : 0);
      model.learnOne(row.text, row.label);
    }
    const trace = readJsonl<Step>(p.yelpTrace);
    expect(correctness).toEqual(trace.map((s) => s.x));
    const got = replay(correctness);
    got.forEach((g, t) => {
      const e = trace[t] as Step;
      expect(
        [g.adwin_drift, g.adwin_width, g.adwin_estimation, g.adwin_n_detections, g.ph_drift],
        `t=${t}`,
      ).toEqual([e.adwin_drift, e.adwin_width, e.adwin_estimation, e.adwin_n_detections, e.ph_drift]);
    });
    const summary = readGoldenJson<{ correctness: unknown; error: unknown }>(p.yelpSummary);
    expect(detections(got)).toEqual(summary.correctness);
    expect(detections(replay(correctness.map((c) => 1 - c)))).toEqual(summary.error);
  });
});
