import { describe, expectTypeOf, it } from "vitest";
import { flow, task } from "./index.js";
import type { Flow, FlowContext, Task } from "./index.js";

describe("flow and task typing", () => {
  it("infers parameters and results from the function", () => {
    const add = flow({ name: "add" }, (params: { a: number; b: number }) =>
      Promise.resolve(params.a + params.b),
    );
    expectTypeOf(add).toEqualTypeOf<Flow<{ a: number; b: number }, number>>();
    expectTypeOf(add).parameter(0).toEqualTypeOf<{ a: number; b: number }>();
    expectTypeOf(add).returns.toEqualTypeOf<Promise<number>>();
  });

  it("makes the parameters optional when the flow takes none", () => {
    const noParams = flow({ name: "none" }, (_: void, ctx: FlowContext) => ctx.runId);
    expectTypeOf(noParams).toBeCallableWith();
    const noArgs = flow({ name: "none" }, () => 1);
    expectTypeOf(noArgs).toBeCallableWith();
    expectTypeOf(noArgs).returns.toEqualTypeOf<Promise<number>>();
  });

  it("takes the parameter type from a schema", () => {
    const schema = { parse: (input: unknown) => input as { path: string } };
    const load = flow({ name: "load", parameters: schema }, ({ path }) => path.length);
    expectTypeOf(load).parameter(0).toEqualTypeOf<{ path: string }>();
  });

  it("types tasks the same way", () => {
    const double = task({ name: "double" }, (n: number) => n * 2);
    expectTypeOf(double).toEqualTypeOf<Task<number, number>>();
  });
});
