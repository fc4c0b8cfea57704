// Who may log in through a target: the bridge reads the StartupMessage and checks the role,
// the database and the replication flag against the target's allow-lists before it dials.
// Real bridge, real cluster (whose superuser is trusted from 127.0.0.1, so without the lists
// any token holder could log in as it).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BridgeConfigError, createBridge } from "../../bridge/index.js";
import { OperationalError } from "../../src/errors.js";
import { connect } from "../../src/native/index.js";
import { cluster, rawSession, STATIC_TOKEN, startBridge, startupMessage, type TestBridge } from "./fixtures.js";

const scram = { ...cluster.users.scram, database: cluster.database };
const superuser = { user: cluster.superuser, database: cluster.database };
let bridge: TestBridge;

beforeAll(async () => {
  bridge = await startBridge({
    targets: {
      // The default: any role and database, no replication.
      open: { host: cluster.host, port: cluster.port },
      app: { host: cluster.host, port: cluster.port, users: [cluster.users.scram.user], databases: [cluster.database] },
      replica: { host: cluster.host, port: cluster.port, replication: true },
    },
  });
});
afterAll(async () => {
  await bridge.close();
});

function via(target: string) {
  return { url: bridge.url, token: STATIC_TOKEN, target };
}

function dials(): number {
  return bridge.logs.filter((e) => e.event === "upstream").length;
}

async function failure(promise: Promise<{ close(): Promise<void> }>): Promise<Error> {
  return promise.then(
    async (con) => {
      await con.close();
      throw new Error("connected, but a refusal was expected");
    },
    (e: unknown) => e as Error,
  );
}

describe("users and databases allow-lists", () => {
  it("a listed role on a listed database logs in", async () => {
    const con = await connect({ ...scram, bridge: via("app") });
    expect(await con.run("SELECT current_user, current_database()")).toEqual([
      [cluster.users.scram.user, cluster.database],
    ]);
    await con.close();
  });

  it("another role (here the trusted superuser) → 4406 before anything is dialled", async () => {
    const before = dials();
    const err = await failure(connect({ ...superuser, bridge: via("app") }));
    expect(err).toBeInstanceOf(OperationalError);
    expect(err.message).toBe(
      "the bridge does not allow this login: the target's users, databases and replication settings in the bridge " +
        `config limit who may connect (bridge close code 4406: role '${cluster.superuser}' may not log in through this bridge)`,
    );
    expect(dials()).toBe(before);
  });

  it("another database → 4406 naming the database", async () => {
    const err = await failure(connect({ ...scram, database: "template1", bridge: via("app") }));
    expect(err).toBeInstanceOf(OperationalError);
    expect(err.message).toMatch(
      /\(bridge close code 4406: database 'template1' may not be opened through this bridge\)$/,
    );
  });

  it("no database in the startup packet means the user's name, as PostgreSQL reads it", async () => {
    const closed = await rawSession(bridge, {
      query: { target: "app" },
      send: (ws) => ws.send(startupMessage({ user: cluster.users.scram.user })),
    });
    expect(closed).toMatchObject({
      code: 4406,
      reason: `database '${cluster.users.scram.user}' may not be opened through this bridge`,
    });
  });

  it("a startup packet without a user, or with broken parameters, → 4400", async () => {
    const noUser = await rawSession(bridge, {
      query: { target: "open" },
      send: (ws) => ws.send(startupMessage({ database: cluster.database })),
    });
    expect(noUser).toMatchObject({ code: 4400, reason: "the startup message names no user" });
    const good = startupMessage({ user: "x" });
    const broken = Buffer.from(good);
    broken[broken.length - 1] = 0x41; // no final NUL
    const malformed = await rawSession(bridge, { query: { target: "open" }, send: (ws) => ws.send(broken) });
    expect(malformed.code).toBe(4400);
  });

  it("a startup packet split across messages is read whole before the check", async () => {
    const packet = startupMessage({ user: cluster.superuser, database: cluster.database });
    const closed = await rawSession(bridge, {
      query: { target: "app" },
      send: (ws) => {
        ws.send(packet.subarray(0, 6));
        setTimeout(() => ws.send(packet.subarray(6, 20)), 20);
        setTimeout(() => ws.send(packet.subarray(20)), 40);
      },
    });
    expect(closed).toMatchObject({
      code: 4406,
      reason: `role '${cluster.superuser}' may not log in through this bridge`,
    });
  });
});

describe("replication", () => {
  it("is refused by default (4406), whatever the role", async () => {
    const before = dials();
    const err = await failure(connect({ ...superuser, replication: "database", bridge: via("open") }));
    expect(err).toBeInstanceOf(OperationalError);
    expect(err.message).toMatch(
      /\(bridge close code 4406: replication connections are not allowed through this bridge\)$/,
    );
    for (const value of ["true", "on", "1", "yes", "database", "TRUE"]) {
      const closed = await rawSession(bridge, {
        query: { target: "open" },
        send: (ws) => ws.send(startupMessage({ user: cluster.superuser, replication: value })),
      });
      expect(closed.code, value).toBe(4406);
    }
    expect(dials()).toBe(before);
  });

  it("replication=false is an ordinary session", async () => {
    const con = await connect({ ...scram, replication: "false", bridge: via("open") });
    expect(await con.run("SELECT 1")).toEqual([[1]]);
    await con.close();
  });

  it("a target with replication: true lets it through", async () => {
    const con = await connect({ ...superuser, replication: "database", bridge: via("replica") });
    const rows = await con.run("IDENTIFY_SYSTEM");
    expect(rows?.[0]).toHaveLength(4);
    await con.close();
  });
});

describe("configuration", () => {
  it.each([
    [{ users: "app" }, "targets.t.users must be an array of names"],
    [{ databases: [""] }, "targets.t.databases must be an array of names"],
    [{ replication: "yes" }, "targets.t.replication must be true or false"],
  ])("%j → %s", async (extra, message) => {
    const config = {
      targets: { t: { host: "127.0.0.1", ...extra } },
      tokens: [STATIC_TOKEN],
      log: false as const,
    } as unknown as Parameters<typeof createBridge>[0];
    await expect(createBridge(config)).rejects.toThrow(BridgeConfigError);
    await expect(createBridge(config)).rejects.toThrow(message);
  });

  it("a unix socket target takes the lists too", async () => {
    const b = await createBridge({
      listen: { port: 0 },
      targets: { s: { unix_sock: cluster.socketPath, users: [cluster.users.trust.user] } },
      tokens: [STATIC_TOKEN],
      log: false,
    });
    try {
      const err = await failure(connect({ ...superuser, bridge: { url: b.url, token: STATIC_TOKEN } }));
      expect(err.message).toMatch(/4406: role/);
      const con = await connect({
        ...cluster.users.trust,
        database: cluster.database,
        bridge: { url: b.url, token: STATIC_TOKEN },
      });
      expect(await con.run("SELECT current_user")).toEqual([[cluster.users.trust.user]]);
      await con.close();
    } finally {
      await b.close();
    }
  });
});
