import { defineConfig } from "vitest/config";

// `npm run fuzz`: the seeded fuzzers at full length. They need no database, so no global setup.
export default defineConfig({
  test: {
    include: ["test/reliability/fuzz.test.ts"],
    pool: "forks",
    env: {
      PG8000_FUZZ_CODEC_CASES: process.env.PG8000_FUZZ_CODEC_CASES ?? "1000000",
      PG8000_FUZZ_PROTOCOL_CASES: process.env.PG8000_FUZZ_PROTOCOL_CASES ?? "20000",
    },
  },
});
