import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as dbapi from "../../src/index.js";
import * as native from "../../src/native/index.js";

const packageVersion = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  }
).version;

describe("__version__ and version, as pg8000.__version__", () => {
  it("both modules export package.json's version (src/version.ts must follow package.json)", () => {
    expect([dbapi.__version__, dbapi.version, native.__version__, native.version]).toEqual(
      new Array(4).fill(packageVersion),
    );
  });
});
