export { createProgram } from "./program.js";
export { version } from "./version.js";
