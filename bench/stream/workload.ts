/** The stream benchmark's workload, the same for every backend and for the raw-client baseline. */

/** A ~200-byte JSON review like the reference application publishes. */
export function payload(i: number): { text: string; sentiment: number; i: number } {
  return {
    text: "The food was great and the staff friendly, but we waited forty minutes for a table on a quiet evening. ".slice(
      0,
      150 + (i % 20),
    ),
    sentiment: i % 2,
    i,
  };
}

/** Runs `task(i)` for i < n keeping at most `window` in flight. */
export function pipelined(n: number, window: number, task: (i: number) => Promise<unknown>): Promise<void> {
  return new Promise((resolve, reject) => {
    let started = 0;
    let done = 0;
    let inFlight = 0;
    const pump = (): void => {
      while (inFlight < window && started < n) {
        inFlight++;
        task(started++).then(() => {
          inFlight--;
          if (++done === n) resolve();
          else pump();
        }, reject);
      }
    };
    pump();
  });
}

/** Throughput and CPU of one measured phase (publishing or consuming). */
export interface Phase {
  readonly perS: number;
  /** This process's CPU time (user + system) per event, µs. */
  readonly clientCpuUs: number;
  /** nats-server's CPU time per event, µs (NaN when its process was not found). */
  readonly serverCpuUs: number;
}

/** Times `body` over `events` events, with this process's and (if `serverCpu` is given) the server's CPU. */
export async function measurePhase(
  events: number,
  serverCpu: () => number,
  body: () => Promise<void>,
): Promise<Phase> {
  const cpu0 = process.cpuUsage();
  const server0 = serverCpu();
  const t0 = performance.now();
  await body();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return {
    perS: events / seconds,
    clientCpuUs: (cpu.user + cpu.system) / events,
    serverCpuUs: ((serverCpu() - server0) * 1e6) / events,
  };
}

export const median = (values: readonly number[]): number => {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
