// A Pool across a server restart. The restart happens on a throwaway cluster of this file's own,
// so the other test files (sharing the main test cluster) are not disturbed.

import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { OperationalError } from "../../src/errors.js";
import { Pool } from "../../src/native/index.js";
import { type ClusterHandle, createCluster, destroyClusterSync } from "../tools/provision.js";

const execFileAsync = promisify(execFile);
let handle: ClusterHandle;
let pool: Pool;

beforeAll(async () => {
  handle = await createCluster();
  const info = handle.info!;
  pool = new Pool({ user: info.users.trust.user, host: info.host, port: info.port, database: info.database, max: 4 });
}, 120_000);
afterAll(async () => {
  await pool?.close();
  if (handle) destroyClusterSync(handle);
});

/** pg_ctl as the server's user (runuser when the tests run as root). */
async function pgCtl(...args: string[]): Promise<void> {
  const pgCtlPath = path.join(handle.binDir!, "pg_ctl");
  const full = [...args, "-D", handle.dataDir, "-l", path.join(handle.baseDir, "postgres.log"), "-w", "-t", "60"];
  const [file, argv] = handle.user
    ? ["runuser", ["-u", handle.user.name, "--", pgCtlPath, ...full]]
    : [pgCtlPath, full];
  await execFileAsync(file, argv, { cwd: handle.baseDir });
}

describe("Pool and a server restart", () => {
  it("while the server is down callers get OperationalError; once it is back the pool recovers", async () => {
    await Promise.all([1, 2, 3].map(() => pool.run("SELECT pg_sleep(0.02)")));
    expect(pool.total).toBe(3);
    await pgCtl("stop", "-m", "fast");
    // The server said goodbye to each session (57P01): the pool drops them as they close.
    await vi.waitFor(() => expect(pool.total).toBe(0), { timeout: 10_000 });
    await expect(pool.run("SELECT 1")).rejects.toBeInstanceOf(OperationalError);
    expect([pool.total, pool.waiting]).toEqual([0, 0]);
    await pgCtl("start");
    expect(await pool.run("SELECT 'back'")).toEqual([["back"]]);
  });

  it("a restart under load: each caller gets its exact result or an OperationalError, then all succeed", async () => {
    let running = true;
    const outcomes: unknown[] = [];
    const callers = Array.from({ length: 8 }, async (_, c) => {
      for (let i = 0; running; i++) {
        const n = c * 100_000 + i;
        outcomes.push(
          await pool.query<{ n: number }>("SELECT $1::int AS n", [n]).then(
            (r) => (r.rows[0]!.n === n ? "exact" : `wrong: ${r.rows[0]!.n} for ${n}`),
            (e: unknown) => e,
          ),
        );
      }
    });
    await new Promise((r) => setTimeout(r, 100));
    await pgCtl("restart", "-m", "fast");
    await new Promise((r) => setTimeout(r, 100));
    running = false;
    await Promise.all(callers);
    const failures = outcomes.filter((o) => o !== "exact");
    expect(outcomes.length).toBeGreaterThan(failures.length);
    for (const failure of failures) expect(failure).toBeInstanceOf(OperationalError);
    const after = await Promise.all(Array.from({ length: 10 }, (_, i) => pool.run("SELECT :i::int", { i })));
    expect(after).toEqual(Array.from({ length: 10 }, (_, i) => [[i]]));
    expect(pool.total).toBeLessThanOrEqual(4);
  });
});
