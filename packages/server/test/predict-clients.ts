// Test code: clients that predict continuously, each over its own keep-alive connection, and
// record every answer (when it was sent and received, its status and the version that answered).
import { Agent, request } from "node:http";

/** One answered request. */
export interface Answer {
  client: number;
  sentAt: number;
  receivedAt: number;
  status: number;
  version: number | undefined;
  /** The parsed body of a successful answer. */
  body:
    { version: number; predictions: { label: unknown; probabilities: Record<string, number> }[] } | undefined;
  error?: string;
}

function post(agent: Agent, url: URL, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        agent,
        method: "POST",
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * Starts `count` clients, each looping `POST url` with `body` over one keep-alive connection until
 * `stop()` (or `maxMs`, a bound so that a broken test ends), and resolves `stop()` with every answer.
 */
export function startPredictClients(
  count: number,
  url: string,
  body: unknown,
  maxMs = 60_000,
): { answers: Answer[]; stop: () => Promise<Answer[]> } {
  const answers: Answer[] = [];
  const text = JSON.stringify(body);
  const target = new URL(url);
  const deadline = performance.now() + maxMs;
  let stopped = false;
  const agents: Agent[] = [];
  const loops = Array.from({ length: count }, async (_, client) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    agents.push(agent);
    while (!stopped && performance.now() < deadline) {
      const sentAt = performance.now();
      try {
        const res = await post(agent, target, text);
        const parsed = res.status === 200 ? (JSON.parse(res.text) as Answer["body"]) : undefined;
        answers.push({
          client,
          sentAt,
          receivedAt: performance.now(),
          status: res.status,
          version: parsed?.version,
          body: parsed,
        });
      } catch (error) {
        answers.push({
          client,
          sentAt,
          receivedAt: performance.now(),
          status: 0,
          version: undefined,
          body: undefined,
          error: String(error),
        });
      }
    }
  });
  return {
    answers,
    async stop() {
      stopped = true;
      await Promise.all(loops);
      for (const agent of agents) agent.destroy();
      return answers;
    },
  };
}
