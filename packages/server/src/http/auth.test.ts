import { connect } from "node:net";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startTestServer, uuid } from "../../test/backends.js";
import type { TestServer } from "../../test/backends.js";
import { bearerToken } from "./auth.js";

/** One request sent byte for byte as written (fetch and URL would normalise the path first). */
async function rawRequest(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body = "",
): Promise<number> {
  const { hostname, port } = new URL(baseUrl);
  const lines = [
    `${method} ${path} HTTP/1.1`,
    `Host: ${hostname}:${port}`,
    "Connection: close",
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ...(body === "" ? [] : [`Content-Length: ${Buffer.byteLength(body)}`]),
    "",
    body,
  ];
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let head = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      head += chunk;
      const match = /^HTTP\/1\.1 (\d{3})/.exec(head);
      if (match) {
        socket.destroy();
        resolve(Number(match[1]));
      }
    });
    socket.on("error", reject);
    socket.on("close", () => reject(new Error(`no answer to ${method} ${path}: ${JSON.stringify(head)}`)));
    socket.write(lines.join("\r\n"));
  });
}

/** Ways to write `/api/…` that a router may decode, fold or normalise into the real route. */
const ENCODINGS: ReadonlyArray<[string, (path: string) => string]> = [
  ["%61 for a", (p) => p.replace("/api", "/%61pi")],
  ["%69 for i", (p) => p.replace("/api", "/ap%69")],
  ["all three encoded", (p) => p.replace("/api", "/%61%70%69")],
  [
    "upper-case hex digits",
    (p) => p.replace("/api", "/%61%70%69").replace(/%([0-9a-f]{2})/g, (m) => m.toUpperCase()),
  ],
  ["encoded upper case", (p) => p.replace("/api", "/%41%50%49")],
  ["/API", (p) => p.replace("/api", "/API")],
  ["/Api", (p) => p.replace("/api", "/Api")],
  ["mixed case everywhere", (p) => p.toUpperCase()],
  ["double slash before", (p) => `/${p}`],
  ["triple slash before", (p) => `//${p}`],
  ["every slash doubled", (p) => p.replaceAll("/", "//")],
  ["/./ before", (p) => `/.${p}`],
  ["/x/../ before", (p) => `/x/..${p}`],
  ["%2e/ before", (p) => `/%2e${p}`],
  ["%2e%2e/ before", (p) => `/%2e%2e${p}`],
  ["/x/%2e%2e/ before", (p) => `/x/%2e%2e${p}`],
  ["/./ inside", (p) => p.replace("/api/", "/api/./")],
  ["back and forth inside", (p) => p.replace("/api/", "/api/x/../")],
  ["%5c backslash", (p) => p.replace("/api", "/%5capi")],
  ["; parameter on api", (p) => p.replace("/api", "/api;x=1")],
  ["; parameter at the end", (p) => `${p};jsessionid=1`],
  ["trailing dot on api", (p) => p.replace("/api", "/api.")],
  ["trailing dot at the end", (p) => `${p}.`],
  ["trailing slash", (p) => `${p}/`],
  ["%2f for the slash after api", (p) => p.replace("/api/", "/api%2f")],
  ["double encoding", (p) => p.replace("/api", "/%2561pi")],
  [
    "encoded letter in the route",
    (p) => p.replace(/\/api\/(\w)/, (_m, c: string) => `/api/%${c.charCodeAt(0).toString(16)}`),
  ],
  ["%00 after api", (p) => p.replace("/api", "/api%00")],
  ["%20 after api", (p) => p.replace("/api", "/api%20")],
  ["fullwidth a", (p) => p.replace("/api", "/%EF%BD%81pi")],
  ["query with a slash", (p) => `${p}?next=/api`],
  ["fragment", (p) => `${p}#x`],
  ["absolute-form target", (p) => `http://127.0.0.1${p}`],
];

/** Request targets that HTTP itself forbids: Node's parser answers 400 before any route is seen. */
const UNPARSABLE: ReadonlyArray<[string, (path: string) => string]> = [
  ["backslash", (p) => p.replace("/api", "\\api")],
  ["space inside", (p) => p.replace("/api", "/a pi")],
];

interface Route {
  method: string;
  path: string;
  body: string;
  headers?: Record<string, string>;
}

function routes(): Route[] {
  const json = (method: string, path: string, value: unknown): Route => ({
    method,
    path,
    body: JSON.stringify(value),
    headers: { "Content-Type": "application/json" },
  });
  const runId = uuid();
  return [
    json("POST", "/api/runs", { flowName: "forged" }),
    json("POST", `/api/runs/${runId}/state`, { id: uuid(), type: "Cancelled" }),
    json("POST", `/api/runs/${runId}/heartbeat`, {}),
    json("POST", `/api/runs/${runId}/artifacts`, { key: "report", type: "markdown", data: "x" }),
    json("PUT", "/api/checkpoints/forged/key", { value: { offset: 1 } }),
    json("POST", "/api/ingest", { logs: [] }),
    json("POST", "/api/topics", { name: "forged" }),
    { method: "DELETE", path: "/api/topics/river_pipeline", body: "" },
    {
      method: "GET",
      path: "/api/stream?v=3",
      body: "",
      headers: {
        Upgrade: "websocket",
        Connection: "Upgrade",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version": "13",
      },
    },
  ];
}

describe("the API key", () => {
  let secured: TestServer;
  let open: TestServer;

  beforeAll(async () => {
    [secured, open] = await Promise.all([
      startTestServer("sqlite", { apiKey: "s3cret" }),
      startTestServer("sqlite"),
    ]);
  });
  afterAll(async () => {
    await Promise.all([secured.close(), open.close()]);
  });

  it(`is required on every write route and the stream, however the path is written (${ENCODINGS.length} encodings)`, async () => {
    const let_through: string[] = [];
    for (const route of routes())
      for (const [label, encode] of [["as written", (p: string) => p] as const, ...ENCODINGS]) {
        const path = encode(route.path);
        const status = await rawRequest(secured.url, route.method, path, route.headers ?? {}, route.body);
        if (status !== 401) let_through.push(`${route.method} ${path} (${label}) → ${status}`);
      }
    for (const route of routes())
      for (const [label, encode] of UNPARSABLE) {
        const path = encode(route.path);
        const status = await rawRequest(secured.url, route.method, path, route.headers ?? {}, route.body);
        if (status !== 400) let_through.push(`${route.method} ${path} (${label}) → ${status}`);
      }
    expect(let_through).toEqual([]);
    const runs = await secured.json<{ total: number }>("GET", "/api/runs");
    expect(runs.total).toBe(0);
    const checkpoint = await secured.call("GET", "/api/checkpoints/forged/key");
    expect(checkpoint.status).toBe(404);
  });

  it("lets every write route and the stream through with the key, whatever the case of the scheme", async () => {
    for (const scheme of ["Bearer", "bearer", "BEARER"]) {
      const refused: string[] = [];
      for (const route of routes()) {
        const headers = { ...route.headers, Authorization: `${scheme} s3cret` };
        const status = await rawRequest(secured.url, route.method, route.path, headers, route.body);
        if (status === 401) refused.push(`${route.method} ${route.path}`);
      }
      expect(refused, `scheme ${scheme}`).toEqual([]);
    }
    const stream = await rawRequest(secured.url, "GET", "/api/stream?v=3", {
      ...routes().at(-1)!.headers,
      Authorization: "bearer s3cret",
    });
    expect(stream).toBe(101);
  });

  it("closes the socket of a refused stream upgrade, so nothing lingers", async () => {
    const { hostname, port } = new URL(secured.url);
    const closed = await new Promise<{ status: string; closedBy: "server" | "timeout" }>(
      (resolve, reject) => {
        const socket = connect(Number(port), hostname);
        let head = "";
        const timer = setTimeout(() => {
          socket.destroy();
          resolve({ status: head.split("\r\n")[0] ?? "", closedBy: "timeout" });
        }, 3_000);
        socket.setEncoding("latin1");
        socket.on("data", (chunk: string) => (head += chunk));
        socket.on("error", reject);
        socket.on("close", () => {
          clearTimeout(timer);
          resolve({ status: head.split("\r\n")[0] ?? "", closedBy: "server" });
        });
        const headers = Object.entries(routes().at(-1)!.headers ?? {}).map(([k, v]) => `${k}: ${v}\r\n`);
        socket.write(`GET /api/stream?v=3 HTTP/1.1\r\nHost: ${hostname}\r\n${headers.join("")}\r\n`);
      },
    );
    expect(closed).toEqual({ status: "HTTP/1.1 401 Unauthorized", closedBy: "server" });
  });

  it("refuses a wrong key, another scheme and a key in the query string", async () => {
    for (const authorization of [
      "Bearer s3cre",
      "Bearer s3cret2",
      "Basic czNjcmV0",
      "s3cret",
      "Bearer",
      "Bearer  ",
    ]) {
      const status = await rawRequest(
        secured.url,
        "POST",
        "/api/runs",
        {
          Authorization: authorization,
          "Content-Type": "application/json",
        },
        JSON.stringify({ flowName: "x" }),
      );
      expect(status, authorization).toBe(401);
    }
    const status = await rawRequest(
      secured.url,
      "POST",
      "/api/runs?apiKey=s3cret",
      {
        "Content-Type": "application/json",
      },
      JSON.stringify({ flowName: "x" }),
    );
    expect(status).toBe(401);
  });

  it("keeps reads open, with the key on and off", async () => {
    for (const server of [secured, open]) {
      expect(await rawRequest(server.url, "GET", "/api/runs", {})).toBe(200);
      expect(await rawRequest(server.url, "GET", "/api/topics", {})).toBe(200);
    }
  });

  it("is not asked for when the server has none", async () => {
    const refused: string[] = [];
    for (const route of routes()) {
      const status = await rawRequest(open.url, route.method, route.path, route.headers ?? {}, route.body);
      if (status === 401 || status >= 500) refused.push(`${route.method} ${route.path} → ${status}`);
    }
    expect(refused).toEqual([]);
  });
});

describe("bearerToken", () => {
  it("reads the Bearer scheme case-insensitively and nothing else", () => {
    expect(bearerToken("Bearer abc")).toBe("abc");
    expect(bearerToken("bearer abc")).toBe("abc");
    expect(bearerToken("BeArEr   abc  ")).toBe("abc");
    expect(bearerToken("Basic abc")).toBeUndefined();
    expect(bearerToken("Bearer")).toBeUndefined();
    expect(bearerToken("Bearer a b")).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});
