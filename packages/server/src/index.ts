export { startServer } from "./start-server.js";
export type { WeirServer } from "./start-server.js";
export { createServer } from "./create-server.js";
export type { WeirApp } from "./create-server.js";
export type { ServerOptions } from "./options.js";
export { WeirHttpError, WeirServerError } from "./errors.js";
export type { Storage, Dialect } from "./storage/database.js";
