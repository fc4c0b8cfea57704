// The bridge/client contract lives in src/bridge-protocol.ts only: neither side may spell a
// subprotocol, token prefix or close code itself, and every code the bridge can send has its
// own message in the driver (which never parses the reason text).

import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { CloseCode } from "../../src/bridge-protocol.js";
import { bridgeCloseError } from "../../src/transport/bridge-close.js";

const root = path.resolve(import.meta.dirname, "../..");
const sides = [
  ...readdirSync(path.join(root, "bridge"))
    .filter((f) => f.endsWith(".ts"))
    .map((f) => `bridge/${f}`),
  "src/transport/websocket.ts",
];

describe("one source of truth", () => {
  it.each(sides)("%s spells no contract value itself", (file) => {
    const code = readFileSync(path.join(root, file), "utf8")
      // Comments may mention them.
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/\/\/.*$/gm, "");
    expect(code).not.toMatch(/["'`]pg8000\.v1["'`]/);
    expect(code).not.toMatch(/["'`]token\.["'`]/);
    expect(code).not.toMatch(/["'`]p8b1\./);
    expect(code.match(/\b4[45]\d\d\b/g) ?? []).toEqual([]);
  });

  it("every close code the bridge sends has its own driver message; the reason is quoted, never decisive", () => {
    const codes = Object.values(CloseCode).filter((c) => c !== CloseCode.Normal);
    const messages = codes.map((code) => bridgeCloseError(code, "", false, "ws://b/", "").message);
    expect(new Set(messages).size).toBe(codes.length);
    const fallback = bridgeCloseError(4999, "", false, "ws://b/", "").message;
    expect(messages).not.toContain(fallback);
    for (const code of codes) {
      const a = bridgeCloseError(code, "lost something", false, "ws://b/", "").message;
      const b = bridgeCloseError(code, "no PostgreSQL startup", false, "ws://b/", "").message;
      expect(a.replace("lost something", "")).toBe(b.replace("no PostgreSQL startup", ""));
    }
  });
});
