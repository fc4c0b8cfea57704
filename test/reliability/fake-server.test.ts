// The driver against a fake, misbehaving backend: what a real PostgreSQL never sends, but a
// broken proxy or a hostile server can. Every case must end in a clear error (or a correct
// result), never a hang, a wrong result or an unhandled rejection.

import { afterEach, describe, expect, it } from "vitest";
import { DatabaseError, InterfaceError, OperationalError, ProgrammingError } from "../../src/errors.js";
import { connect } from "../../src/native/index.js";
import {
  commandComplete,
  dataRow,
  errorResponse,
  type FakeServer,
  fakeOptions,
  fakeServer,
  int32,
  message,
  onQuery,
  ready,
  rowDescription,
  welcome,
} from "./fake-server.js";

/**
 * These scripted replies are simple-protocol answers (RowDescription … ReadyForQuery in one go).
 * A leading ";" keeps a parameterless statement on the simple Query protocol (a single statement
 * would otherwise go through Parse/Describe/Bind/Execute); onQuery strips it again.
 */
const SIMPLE = ";";

const servers: FakeServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});
async function serve(handlers: Parameters<typeof fakeServer>[0]): Promise<FakeServer> {
  const server = await fakeServer(handlers);
  servers.push(server);
  return server;
}

describe("an ErrorResponse without fields", () => {
  it("in answer to a query says the server sent an error without a message", async () => {
    const server = await serve({
      onMessage: onQuery((sql) =>
        sql === "SELECT 1"
          ? Buffer.concat([rowDescription(["n"]), dataRow(["1"]), commandComplete("SELECT 1"), ready()])
          : Buffer.concat([errorResponse([]), ready()]),
      ),
    });
    const con = await connect(fakeOptions(server.port));
    const err = await con.run(`${SIMPLE}SELECT broken`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseError);
    expect((err as Error).message).toBe("the server sent an error without a message");
    expect((err as DatabaseError).fields).toEqual({});
    expect(await con.run(`${SIMPLE}SELECT 1`)).toEqual([["1"]]); // still in step with the server
    await con.close();
  });

  it("with only a SQLSTATE names the SQLSTATE, and the class follows it", async () => {
    const server = await serve({
      onMessage: onQuery(() => Buffer.concat([errorResponse([["C", "57P01"]]), ready()])),
    });
    const con = await connect(fakeOptions(server.port));
    const err = await con.run("SELECT 1").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationalError);
    expect((err as Error).message).toBe("the server sent an error without a message (SQLSTATE 57P01)");
    expect((err as DatabaseError).code).toBe("57P01");
    await con.close();
  });

  it("during startup rejects connect() with that message", async () => {
    const server = await serve({ onStartup: (s) => s.socket.end(errorResponse([])) });
    const err = await connect(fakeOptions(server.port)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProgrammingError);
    expect((err as Error).message).toBe("the server sent an error without a message");
  });
});

describe("the startup packet (PgBouncer refuses parameters it does not know)", () => {
  it("sends user, database, client_encoding and DateStyle, but not extra_float_digits", async () => {
    const server = await serve({});
    const con = await connect({ ...fakeOptions(server.port), database: "d", application_name: "app" });
    expect(server.sessions[0]!.startup).toEqual({
      user: "u",
      database: "d",
      application_name: "app",
      client_encoding: "UTF8",
      DateStyle: "ISO",
    });
    expect(server.sessions[0]!.received).toEqual([]); // PostgreSQL 12+ prints floats exactly anyway
    await con.close();
  });

  it("on a server before PostgreSQL 12, sets extra_float_digits = 3 with SET after startup", async () => {
    const queries: string[] = [];
    const server = await serve({
      onStartup: (s) => s.socket.write(welcome("11.22")),
      onMessage: onQuery((sql) => {
        queries.push(sql);
        return Buffer.concat([commandComplete("SET"), ready()]);
      }),
    });
    const con = await connect(fakeOptions(server.port));
    expect(server.sessions[0]!.startup.extra_float_digits).toBeUndefined();
    expect(queries).toEqual(["SET extra_float_digits = 3"]);
    await con.close();
  });

  it("a user's startup_params still go in the startup packet", async () => {
    const server = await serve({});
    const con = await connect({ ...fakeOptions(server.port), startup_params: { extra_float_digits: "2" } });
    expect(server.sessions[0]!.startup.extra_float_digits).toBe("2");
    await con.close();
  });
});

describe("malformed and hostile server bytes", () => {
  const afterQuery = async (reply: Buffer): Promise<{ err: unknown; closed: boolean }> => {
    const server = await serve({ onMessage: onQuery(() => reply) });
    const con = await connect(fakeOptions(server.port));
    const err = await con.run("SELECT 1").catch((e: unknown) => e);
    return { err, closed: con.closed };
  };

  it("a message claiming 2 GB is refused without allocating it", async () => {
    const header = Buffer.from([0x44, ...int32(0x7fffffff)]);
    const { err, closed } = await afterQuery(Buffer.concat([rowDescription(["n"]), header]));
    expect(err).toBeInstanceOf(InterfaceError);
    expect(closed).toBe(true);
  });

  it("a message with a length below 4 is refused", async () => {
    const { err, closed } = await afterQuery(Buffer.from([0x5a, 0, 0, 0, 2]));
    expect(err).toBeInstanceOf(InterfaceError);
    expect(closed).toBe(true);
  });

  it("an unknown message type is refused", async () => {
    const { err, closed } = await afterQuery(Buffer.concat([message("!", [1, 2, 3]), ready()]));
    expect(err).toBeInstanceOf(InterfaceError);
    expect((err as Error).message).toMatch(/unknown message type 0x21/);
    expect(closed).toBe(true);
  });

  it("a DataRow whose field length runs past its message is refused", async () => {
    const row = message("D", [0, 1, ...int32(1000), 0x31]);
    const { err, closed } = await afterQuery(
      Buffer.concat([rowDescription(["n"]), row, commandComplete("SELECT 1"), ready()]),
    );
    expect(err).toBeInstanceOf(InterfaceError);
    expect(closed).toBe(true);
  });

  it("the server closing in the middle of a message fails the query with OperationalError", async () => {
    const server = await serve({
      onMessage: onQuery((_sql, s) => {
        setImmediate(() => s.socket.end());
        return Buffer.concat([rowDescription(["n"]), message("D", [0, 1, ...int32(4), 0x31]).subarray(0, 8)]);
      }),
    });
    const con = await connect(fakeOptions(server.port));
    const err = await con.run(`${SIMPLE}SELECT 1`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationalError);
    expect(con.closed).toBe(true);
  });

  it("a server that never answers hits the timeout with OperationalError", async () => {
    const server = await serve({ onMessage: () => undefined });
    const con = await connect({ ...fakeOptions(server.port), timeout: 0.3 });
    const err = await con.run("SELECT 1").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OperationalError);
    expect((err as Error).message).toMatch(/timeout/);
  });

  it("a flood of notifications while idle keeps only the newest 100", async () => {
    const notification = (i: number): Buffer =>
      message("A", [...int32(1), ...Buffer.from("chan\0"), ...Buffer.from(`payload ${i}\0`)]);
    const server = await serve({
      onMessage: onQuery((sql) =>
        sql === "LISTEN chan"
          ? Buffer.concat([
              commandComplete("LISTEN"),
              ready(),
              ...Array.from({ length: 10_000 }, (_, i) => notification(i)),
            ])
          : Buffer.concat([rowDescription(["n"]), dataRow(["1"]), commandComplete("SELECT 1"), ready()]),
      ),
    });
    const con = await connect(fakeOptions(server.port));
    await con.run(`${SIMPLE}LISTEN chan`);
    expect(await con.run(`${SIMPLE}SELECT 1`)).toEqual([["1"]]);
    expect(con.notifications.length).toBe(100);
    expect(con.notifications.at(-1)).toEqual([1, "chan", "payload 9999"]);
    await con.close();
  });
});
