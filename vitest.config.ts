import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

// Shared by both projects; not inherited with `extends: true`, which would merge the
// globalSetup lists and start a second cluster.
const shared = { testTimeout: 30_000, hookTimeout: 120_000, pool: "forks" as const };
// package.json "imports" (#node-transport, #codec-wasm) resolve to src/ under this condition, so
// tests run one module graph (the TypeScript sources), never a mix with dist/.
const sources = { ssr: { resolve: { conditions: ["pg8000-source", ...defaultServerConditions] } } };

export default defineConfig({
  test: {
    ...shared,
    // One throwaway cluster, with one bridge and one PgBouncer in front of it, for the whole run.
    globalSetup: ["test/setup/cluster.ts", "test/bridge/global-setup.ts", "test/setup/pgbouncer-global.ts"],
    projects: [
      { ...sources, test: { ...shared, name: "direct", include: ["test/**/*.test.ts"] } },
      {
        ...sources,
        // The transport-independent integration tests again, through the WebSocket bridge.
        test: {
          ...shared,
          name: "bridge",
          provide: { transport: "bridge" },
          include: [
            "test/integration/{native,dbapi,errors,error-fields,control,copy,stream-columnar,stream-columnar-batches,user-types,query,pool}.test.ts",
          ],
        },
      },
    ],
  },
});
