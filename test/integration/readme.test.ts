// Every TypeScript example in README.md runs here. Lines of the form
//   console.log(...); // => expected output
// are checked: the example's console.log output must match, in order.

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { format } from "node:util";
import { describe, expect, it, vi } from "vitest";
import { cluster } from "./helpers.js";

const here = dirname(fileURLToPath(import.meta.url));
const readme = readFileSync(join(here, "../../README.md"), "utf8");
const examples = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
const generated = join(here, "readme/.generated");

function prepare(code: string): string {
  return code
    .replaceAll('from "pg8000/native"', 'from "../native.js"')
    .replaceAll('from "pg8000"', 'from "../dbapi.js"')
    .replaceAll('from "pg8000/kysely"', 'from "../kysely.js"')
    .replaceAll('from "pg8000/drizzle"', 'from "../drizzle.js"')
    .replaceAll('readFileSync("root.crt")', `readFileSync(${JSON.stringify(cluster.caCertPath)})`);
}

describe("README examples", () => {
  it("has examples to run", () => {
    expect(examples.length).toBeGreaterThanOrEqual(4);
  });

  it.each(examples.map((code, i) => [i + 1, code] as const))(
    "example %i runs and prints what the README says",
    async (n, code) => {
      const expected = [...code.matchAll(/console\.log\(.*\);\s*\/\/ => (.*)$/gm)].map((m) => m[1]!);
      expect(expected.length).toBeGreaterThan(0);
      mkdirSync(generated, { recursive: true });
      const file = join(generated, `example-${n}.ts`);
      writeFileSync(file, `${prepare(code)}\nexport {};\n`);
      const printed: string[] = [];
      // Examples may set libpq's PG* variables; the next example must not inherit them.
      const env = { ...process.env };
      const spy = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
        printed.push(format(...args));
      });
      try {
        await import(/* @vite-ignore */ file);
      } finally {
        spy.mockRestore();
        for (const key of Object.keys(process.env)) if (!(key in env)) delete process.env[key];
        Object.assign(process.env, env);
      }
      expect(printed).toEqual(expected);
    },
  );
});
