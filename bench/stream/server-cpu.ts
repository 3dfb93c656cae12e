import { readdirSync, readFileSync } from "node:fs";

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICKS_PER_S = 100;

/**
 * A reader of the CPU seconds used so far by the nats-server that listens on `port` (found in /proc by
 * its command line; `BENCH_NATS_PID` names it directly). Returns NaN when there is no such process
 * (another machine, or a server in a container).
 */
export function natsServerCpu(port: number): () => number {
  const pid = process.env.BENCH_NATS_PID ?? findNatsServer(port);
  if (pid === undefined) return () => Number.NaN;
  return () => {
    try {
      // Fields after the command name (which may hold spaces): utime and stime are fields 14 and 15.
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
    } catch {
      return Number.NaN;
    }
  };
}

function findNatsServer(port: number): string | undefined {
  let entries: string[];
  try {
    entries = readdirSync("/proc").filter((entry) => /^\d+$/.test(entry));
  } catch {
    return undefined;
  }
  const candidates: string[] = [];
  for (const pid of entries) {
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    } catch {
      continue;
    }
    if (!argv[0]?.endsWith("nats-server")) continue;
    const p = argv.indexOf("-p");
    const listens = p >= 0 ? argv[p + 1] : undefined;
    // The default port when none is given.
    if (listens === String(port) || (listens === undefined && port === 4222)) candidates.push(pid);
  }
  return candidates.length === 1 ? candidates[0] : undefined;
}
