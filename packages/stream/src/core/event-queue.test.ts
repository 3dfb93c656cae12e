import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

import { describe, expect, it } from "vitest";

import { EventQueue } from "./event-queue.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

describe("EventQueue", () => {
  it("lets go of the items it has handed out, so that they can be collected once the application drops them", async () => {
    const queue = new EventQueue<{ readonly payload: Uint8Array }>(() => Promise.resolve());
    const iterator = queue[Symbol.asyncIterator]();
    const handedOut: WeakRef<object>[] = [];
    // Fewer than the 1,024 items after which the queue compacts its array.
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 100; i++) queue.push({ payload: new Uint8Array(1024) });
      for (let i = 0; i < 100; i++) handedOut.push(new WeakRef((await iterator.next()).value as object));
    }
    // WeakRef targets stay alive until the current job ends.
    await new Promise((resolve) => setTimeout(resolve, 0));
    gc();
    expect(handedOut.filter((ref) => ref.deref() !== undefined)).toHaveLength(0);
  });
});
