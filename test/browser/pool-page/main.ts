// The page of test/browser/pool.test.ts: a Pool through the bridge, driven from the test with
// page.evaluate(() => window.poolChecks(options)).

import { type ConnectOptions, OperationalError, Pool } from "../../../src/native/index.js";

export interface PoolCheckResults {
  /** 60 concurrent callers on max 3: did each get its own number back? */
  exact: boolean;
  most: number;
  /** Server sessions (backend pids) that answered them. */
  sessions: number;
  committed: unknown[][] | null;
  rolledBack: unknown[][] | null;
  rollbackError: string;
  timeoutError: string;
  loanBackendPidSame: boolean;
  afterClose: number;
}

declare global {
  interface Window {
    poolChecks(options: ConnectOptions): Promise<PoolCheckResults>;
  }
}

window.poolChecks = async (options) => {
  const pool = new Pool({ ...options, max: 3 });
  let most = 0;
  const results = await Promise.all(
    Array.from({ length: 60 }, async (_, i) => {
      const { rows } = await pool.query<{ i: number; pid: number }>("SELECT $1::int AS i, pg_backend_pid() AS pid", [
        i,
      ]);
      most = Math.max(most, pool.total);
      return rows[0]!;
    }),
  );
  const exact = results.every((row, i) => row.i === i);
  const sessions = new Set(results.map((row) => row.pid)).size;

  const table = `pool_browser_${Date.now()}`;
  await pool.run(`CREATE TABLE ${table} (x int)`);
  await pool.transaction(async (con) => {
    await con.run(`INSERT INTO ${table} VALUES (1)`);
  });
  const committed = await pool.run(`SELECT x FROM ${table}`);
  const rollbackError = await pool
    .transaction(async (con) => {
      await con.run(`INSERT INTO ${table} VALUES (2)`);
      throw new Error("undo");
    })
    .then(
      () => "no error",
      (e: Error) => e.message,
    );
  const rolledBack = await pool.run(`SELECT x FROM ${table} ORDER BY x`);
  await pool.run(`DROP TABLE ${table}`);

  const held = await Promise.all([pool.connect(), pool.connect(), pool.connect()]);
  const impatient = new Pool({ ...options, max: 1, acquire_timeout: 0.3 });
  const blocker = await impatient.connect();
  const timeoutError = await impatient.connect().then(
    () => "no error",
    (e: unknown) => (e instanceof OperationalError ? "OperationalError" : String(e)),
  );
  blocker.release();
  await impatient.close();
  const pid = held[0]!.backend_pid;
  for (const con of held) con.release();
  const again = await pool.connect();
  const loanBackendPidSame = held.some((con) => con.backend_pid === again.backend_pid) && pid > 0;
  again.release();
  await pool.close();
  return {
    exact,
    most,
    sessions,
    committed,
    rolledBack,
    rollbackError,
    timeoutError,
    loanBackendPidSame,
    afterClose: pool.total,
  };
};
document.querySelector("#ready")!.textContent = "ready";
