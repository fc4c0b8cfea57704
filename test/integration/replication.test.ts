import { describe, expect, it } from "vitest";
import { InterfaceError } from "../../src/errors.js";
import { connect, formatLsn, parseLsn, type XLogData } from "../../src/native/index.js";
import { superOptions, trustOptions, uniqueName } from "./helpers.js";

describe("replication connections", () => {
  it("IDENTIFY_SYSTEM and slot commands run on replication: 'database'", async () => {
    const con = await connect(superOptions({ replication: "database" }));
    const [[systemid, timeline, xlogpos, dbname]] = (await con.run("IDENTIFY_SYSTEM")) as [
      [string, number, string, string],
    ];
    expect(systemid).toMatch(/^\d+$/);
    expect(timeline).toBe(1);
    expect(formatLsn(parseLsn(xlogpos))).toBe(xlogpos);
    expect(dbname).toBe(superOptions().database);
    const slot = uniqueName("slot");
    const created = await con.run(`CREATE_REPLICATION_SLOT ${slot} TEMPORARY LOGICAL test_decoding`);
    expect(created![0]![0]).toBe(slot);
    await con.close();
  });

  it("START_REPLICATION streams logical decoding output and stops cleanly", async () => {
    const table = uniqueName("repl_t");
    const writer = await connect(superOptions());
    await writer.run(`CREATE TABLE ${table} (id int, note text)`);
    const con = await connect(superOptions({ replication: "database" }));
    const slot = uniqueName("slot");
    await con.run(`CREATE_REPLICATION_SLOT ${slot} TEMPORARY LOGICAL test_decoding`);
    const stream = con.start_replication(`START_REPLICATION SLOT ${slot} LOGICAL 0/0`);
    await writer.run(`INSERT INTO ${table} VALUES (1, 'ünï 💾'), (2, NULL)`);
    const lines: string[] = [];
    for await (const message of stream) {
      if (message.kind !== "xlogdata") continue;
      const text = new TextDecoder().decode((message as XLogData).data);
      lines.push(text);
      stream.acknowledge(message.wal_end);
      if (text.startsWith("COMMIT")) break;
    }
    expect(lines[0]).toMatch(/^BEGIN \d+$/);
    expect(lines[1]).toBe(`table public.${table}: INSERT: id[integer]:1 note[text]:'ünï 💾'`);
    expect(lines[2]).toBe(`table public.${table}: INSERT: id[integer]:2 note[text]:null`);
    expect(lines[3]).toMatch(/^COMMIT \d+$/);
    // after the stream ended, the connection takes commands again
    expect((await con.run("IDENTIFY_SYSTEM"))!.length).toBe(1);
    await con.close();
    await writer.run(`DROP TABLE ${table}`);
    await writer.close();
  });

  it("start_replication on an ordinary connection → InterfaceError that says what to do", async () => {
    const con = await connect(trustOptions());
    expect(() => con.start_replication("START_REPLICATION SLOT x LOGICAL 0/0")).toThrow(InterfaceError);
    expect(() => con.start_replication("START_REPLICATION SLOT x LOGICAL 0/0")).toThrow(/replication: 'database'/);
    await con.close();
  });
});
