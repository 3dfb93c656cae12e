export { ServiceMissingError } from "./errors.js";
export { freePort } from "./free-port.js";
export { isCI, requireService } from "./require-service.js";
export type { ProbeResult, ServiceHandle } from "./require-service.js";
export { probeChromium, probeNats, probePostgres, probeSharedFile, repoRoot } from "./probes.js";
