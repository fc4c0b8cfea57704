import { defineConfig } from "vitest/config";

// Shared by both projects; not inherited with `extends: true`, which would merge the
// globalSetup lists and start a second cluster.
const shared = { testTimeout: 30_000, hookTimeout: 120_000, pool: "forks" as const };

export default defineConfig({
  test: {
    ...shared,
    // One throwaway cluster, and one bridge in front of it, for the whole run.
    globalSetup: ["test/setup/cluster.ts", "test/bridge/global-setup.ts"],
    projects: [
      { test: { ...shared, name: "direct", include: ["test/**/*.test.ts"] } },
      {
        // The transport-independent integration tests again, through the WebSocket bridge.
        test: {
          ...shared,
          name: "bridge",
          provide: { transport: "bridge" },
          include: [
            "test/integration/{native,dbapi,errors,error-fields,control,copy,stream-columnar,user-types,query,pool}.test.ts",
          ],
        },
      },
    ],
  },
});
