import { connect as realConnect } from "../../../src/index.js";
import { toCluster } from "./target.js";

export * from "../../../src/index.js";
export const connect: typeof realConnect = (options) => realConnect(toCluster(options));
export { Pool } from "./target.js";
