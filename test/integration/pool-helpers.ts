// Shared by the pool tests: pools whose server sessions can be found (and killed) by their
// application_name, and a count of those sessions as the server sees them.

import { type Connection, Pool, type PoolOptions } from "../../src/native/index.js";
import { trustOptions, uniqueName } from "./helpers.js";

/** A pool on the test server whose sessions carry a unique application_name (`app`). */
export function makeNamedPool(prefix: string, extra: Partial<PoolOptions> = {}): { pool: Pool; app: string } {
  const app = uniqueName(prefix);
  return { pool: new Pool({ ...trustOptions({ application_name: app }), ...extra }), app };
}

/** The server sessions open with application_name `app`, counted in pg_stat_activity by `admin`. */
export async function countSessions(admin: Connection, app: string): Promise<number> {
  const rows = await admin.run("SELECT count(*)::int FROM pg_stat_activity WHERE application_name = :app", { app });
  return rows![0]![0] as number;
}
