import { describe, expect, it } from "vitest";

import { Progress, formatDuration } from "./progress.js";

describe("Progress", () => {
  it("logs a line with percentage, rate and ETA when not on a terminal", () => {
    const lines: string[] = [];
    const progress = new Progress({ total: 101, tty: false, log: (line) => lines.push(line), logEveryMs: 0 });
    progress.update(50, 1, 51);
    progress.finish(99, 2);
    expect(lines[0]).toMatch(/^Progress: 50% · 50 published · [\d.,]+ ev\/s · ETA \d+:\d\d · 1 malformed$/);
    expect(lines[1]).toMatch(/^Done: 100% · 99 published · .* · ETA 0:00 · 2 malformed$/);
  });

  it("says where it stopped, not 100%, when stopped before the end (Ctrl-C at 124 of 337)", () => {
    const lines: string[] = [];
    const writes: string[] = [];
    new Progress({ total: 337, tty: false, log: (line) => lines.push(line) }).finish(124, 0, {
      stopped: true,
    });
    new Progress({ total: 337, tty: true, write: (text) => writes.push(text), log: () => {} }).finish(
      120,
      4,
      {
        stopped: true,
      },
    );
    expect(lines).toEqual([
      expect.stringMatching(/^Progress: stopped at 124 of 337 · 124 published · [\d.,]+ ev\/s$/),
    ]);
    expect(writes).toEqual([
      expect.stringMatching(
        /^\r\[#{9}\.{15}\] stopped at 124 of 337 · 120 published · .* · 4 malformed.*\n$/,
      ),
    ]);
  });

  it("redraws one terminal line with a bar and ends it on finish", () => {
    const writes: string[] = [];
    const progress = new Progress({
      total: 10,
      tty: true,
      write: (text) => writes.push(text),
      log: () => {},
    });
    progress.update(5, 0, 5);
    progress.finish(10, 0);
    expect(writes[0]).toMatch(/^\r\[#{12}\.{12}\] 50% /);
    expect(writes.at(-1)).toMatch(/^\r\[#{24}\] 100% .*\n$/);
  });
});

describe("formatDuration", () => {
  it("prints minutes and seconds, and hours when needed", () => {
    expect(formatDuration(0)).toBe("0:00");
    expect(formatDuration(61.2)).toBe("1:02");
    expect(formatDuration(3725)).toBe("1:02:05");
  });
});
