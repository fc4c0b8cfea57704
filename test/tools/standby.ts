// A streaming standby of the test cluster, for target_session_attrs and several-host tests:
// pg_basebackup -R (which writes standby.signal and primary_conninfo) into <base>/standby, the
// primary's settings with another port, started with pg_ctl. A fresh cluster is small, so this
// costs a couple of seconds and little memory (it shares the machine with CI's 2 cores).

import * as fs from "node:fs";
import * as path from "node:path";
import { asServerUser, pickPort, run, type ServerUser } from "./provision.js";

/** The standby's data directory inside a cluster's base directory. */
export function standbyDataDir(baseDir: string): string {
  return path.join(baseDir, "standby");
}

export async function createStandby(o: {
  binDir: string;
  user: ServerUser | undefined;
  baseDir: string;
  socketDir: string;
  primaryPort: number;
  superuser: string;
}): Promise<{ port: number }> {
  const started = Date.now();
  const dataDir = standbyDataDir(o.baseDir);
  const logFile = path.join(o.baseDir, "standby.log");
  fs.mkdirSync(dataDir, { mode: 0o700 });
  fs.writeFileSync(logFile, "");
  if (o.user) {
    fs.chownSync(dataDir, o.user.uid, o.user.gid);
    fs.chownSync(logFile, o.user.uid, o.user.gid);
  }
  const basebackup = [
    ...["-h", o.socketDir, "-p", String(o.primaryPort), "-U", o.superuser],
    ...["-D", dataDir, "-R", "-X", "stream", "-c", "fast", "--no-sync"],
  ];
  await run(...asServerUser(o.user, path.join(o.binDir, "pg_basebackup"), basebackup), { cwd: o.baseDir });

  // The copied settings file is the primary's: only the port differs.
  const settingsFile = path.join(dataDir, "pg8000_test.conf");
  const primarySettings = fs.readFileSync(settingsFile, "utf8");
  const pgCtl = path.join(o.binDir, "pg_ctl");
  for (let attempt = 1; ; attempt++) {
    const { port } = await pickPort();
    fs.writeFileSync(settingsFile, `${primarySettings.replace(/^port = \d+$/m, `port = ${port}`)}hot_standby = on\n`);
    fs.truncateSync(logFile);
    try {
      await run(...asServerUser(o.user, pgCtl, ["-D", dataDir, "-l", logFile, "-w", "-t", "60", "start"]), {
        cwd: o.baseDir,
      });
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      console.log(`test cluster: streaming standby on 127.0.0.1:${port} (ready in ${seconds}s)`);
      return { port };
    } catch (err) {
      const log = fs.readFileSync(logFile, "utf8");
      if (attempt < 5 && /could not create any TCP\/IP sockets|Address already in use/.test(log)) continue;
      throw new Error(`test cluster standby: ${(err as Error).message}\n--- ${logFile} ---\n${log}`);
    }
  }
}
