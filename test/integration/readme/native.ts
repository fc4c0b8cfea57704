import { connect as realConnect } from "../../../src/native/index.js";
import { toCluster } from "./target.js";

export * from "../../../src/native/index.js";
export const connect: typeof realConnect = (options) => realConnect(toCluster(options));
export { Pool } from "./target.js";
