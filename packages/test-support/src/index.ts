export { ServiceMissingError } from "./errors.js";
export { freePort } from "./free-port.js";
export { freshPostgresDatabase } from "./postgres-database.js";
export type { PostgresDatabase } from "./postgres-database.js";
export { isCI, requireService } from "./require-service.js";
export type { ProbeResult, ServiceHandle } from "./require-service.js";
export { probeChromium, probeNats, probePostgres, probeSharedFile, repoRoot } from "./probes.js";
export { startTempServer } from "./temp-server.js";
export type { RunningServer, ServerPlace, TempServer, TempServerOptions } from "./temp-server.js";
