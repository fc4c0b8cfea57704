export * from "../../../src/drizzle/index.js";
