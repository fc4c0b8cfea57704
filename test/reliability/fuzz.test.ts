// The seeded fuzzers (see fuzz-codec.ts and fuzz-harness.ts). `npm test` runs a short, fixed
// run; `npm run fuzz` runs ≥ 1,000,000 cases (PG8000_FUZZ_CODEC_CASES, PG8000_FUZZ_PROTOCOL_CASES,
// PG8000_FUZZ_SEED override the counts and the seed). A failure names its seed and case number;
// the same seed replays it.

import { describe, expect, it } from "vitest";
import { runCodecFuzz } from "./fuzz-codec.js";
import { runFuzz } from "./fuzz-harness.js";

const SEED = Number(process.env.PG8000_FUZZ_SEED ?? 20261203);
const CODEC_CASES = Number(process.env.PG8000_FUZZ_CODEC_CASES ?? 4000);
const PROTOCOL_CASES = Number(process.env.PG8000_FUZZ_PROTOCOL_CASES ?? 400);
const hours = (cases: number, perMs: number): number => Math.max(60_000, cases * perMs * 4);

describe(`seeded fuzzing (seed ${SEED})`, () => {
  it(
    `codec: ${CODEC_CASES} mutated DataRow streams frame or raise InterfaceError/DataError`,
    async () => {
      const started = Date.now();
      const report = await runCodecFuzz(SEED, CODEC_CASES);
      console.log(`codec fuzz: ${JSON.stringify({ ...report, reasons: undefined })} in ${Date.now() - started} ms`);
      expect(report.failures).toEqual([]);
      expect(report.cases).toBe(CODEC_CASES);
      expect(report.framed).toBeGreaterThan(CODEC_CASES / 2); // most streams are valid enough to decode
      expect(report.values).toBeGreaterThan(CODEC_CASES);
    },
    hours(CODEC_CASES, 1),
  );

  it(
    `protocol: ${PROTOCOL_CASES} exchanges through the driver, replies mutated and chunked`,
    async () => {
      const started = Date.now();
      const report = await runFuzz(SEED, PROTOCOL_CASES);
      console.log(`protocol fuzz: ${JSON.stringify(report)} in ${Date.now() - started} ms`);
      expect(report.failures).toEqual([]);
      expect(report.cases).toBe(PROTOCOL_CASES);
      // Every unmutated reply decoded to exactly the generated values (checked inside runFuzz).
      expect(report.exact).toBe(report.cases - report.mutated);
      expect(report.exact).toBeGreaterThan(0);
    },
    hours(PROTOCOL_CASES, 10),
  );
});
