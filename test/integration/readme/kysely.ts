export * from "../../../src/kysely/index.js";
