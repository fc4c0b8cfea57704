import { PassThrough, Readable, Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as pg8000 from "../../src/index.js";
import { type Connection, connect } from "../../src/native/index.js";
import { trustOptions, uniqueName } from "./helpers.js";

let con: Connection;
let table: string;
beforeAll(async () => {
  con = await connect(trustOptions());
  table = uniqueName("copy_t");
  await con.run(`CREATE TEMP TABLE ${table} (id int, name text)`);
});
afterAll(async () => {
  if (!con.closed) await con.close();
});

const text = (chunks: Uint8Array[]): string => Buffer.concat(chunks).toString("utf8");

async function reset(): Promise<void> {
  await con.run(`TRUNCATE ${table}`);
}

async function contents(): Promise<unknown[][]> {
  return (await con.run(`SELECT id, name FROM ${table} ORDER BY id`))!;
}

describe("COPY FROM STDIN", () => {
  it.each([
    ["a string", () => "1\tone\n2\ttwo\n"],
    ["bytes", () => new TextEncoder().encode("1\tone\n2\ttwo\n")],
    ["an array of strings", () => ["1\tone\n", "2\ttwo\n"]],
    [
      "an async iterable",
      () =>
        (async function* () {
          yield "1\tone\n";
          yield new TextEncoder().encode("2\ttwo\n");
        })(),
    ],
    ["a Node Readable", () => Readable.from(["1\tone\n", "2\ttwo\n"])],
    [
      "a WHATWG ReadableStream",
      () =>
        new ReadableStream({
          start(c) {
            c.enqueue(new TextEncoder().encode("1\tone\n2\ttwo\n"));
            c.close();
          },
        }),
    ],
  ])("from %s", async (_kind, make) => {
    await reset();
    await con.run(`COPY ${table} FROM STDIN`, null, { stream: make() });
    expect(con.row_count).toBe(2);
    expect(await contents()).toEqual([
      [1, "one"],
      [2, "two"],
    ]);
  });

  it("CSV with unicode", async () => {
    await reset();
    await con.run(`COPY ${table} FROM STDIN WITH (FORMAT csv)`, null, { stream: '1,"a,b"\n2,"💾 ü"\n' });
    expect(await contents()).toEqual([
      [1, "a,b"],
      [2, "💾 ü"],
    ]);
  });

  it("binary format round trip (COPY TO then FROM)", async () => {
    await reset();
    await con.run(`INSERT INTO ${table} VALUES (1, 'x'), (2, NULL)`);
    const chunks: Uint8Array[] = [];
    await con.run(`COPY ${table} TO STDOUT WITH (FORMAT binary)`, null, {
      stream: { write: (c: Uint8Array) => void chunks.push(c) },
    });
    const binary = Buffer.concat(chunks);
    expect(binary.subarray(0, 11).toString("latin1")).toBe("PGCOPY\n\xff\r\n\0");
    await reset();
    await con.run(`COPY ${table} FROM STDIN WITH (FORMAT binary)`, null, { stream: [binary] });
    expect(await contents()).toEqual([
      [1, "x"],
      [2, null],
    ]);
  });

  it("strings for a binary COPY → InterfaceError, CopyFail sent, connection usable", async () => {
    await reset();
    await expect(con.run(`COPY ${table} FROM STDIN WITH (FORMAT binary)`, null, { stream: ["text"] })).rejects.toThrow(
      /binary, but the stream yields strings/,
    );
    expect(await contents()).toEqual([]);
    expect(await con.run("SELECT 1")).toEqual([[1]]);
  });

  it("a source that throws midway: the server rolls back, the caller gets the error, the connection stays usable", async () => {
    await reset();
    const source = (async function* () {
      yield "1\tone\n";
      throw new Error("source exploded");
    })();
    await expect(con.run(`COPY ${table} FROM STDIN`, null, { stream: source })).rejects.toThrow("source exploded");
    expect(await contents()).toEqual([]);
    expect(await con.run("SELECT 2")).toEqual([[2]]);
  });

  it("a Node Readable that errors → CopyFail", async () => {
    await reset();
    const readable = new Readable({
      read() {
        this.push("1\tone\n");
        this.destroy(new Error("disk gone"));
      },
    });
    await expect(con.run(`COPY ${table} FROM STDIN`, null, { stream: readable })).rejects.toThrow("disk gone");
    expect(await contents()).toEqual([]);
  });

  it("bad data → server error (22P02) with the connection usable", async () => {
    await reset();
    const err = await con.run(`COPY ${table} FROM STDIN`, null, { stream: "x\ty\n" }).catch((e: unknown) => e);
    expect((err as pg8000.DatabaseError).code).toBe("22P02");
    expect(await con.run("SELECT 3")).toEqual([[3]]);
  });

  it("no stream → InterfaceError that says to pass one; connection usable", async () => {
    await expect(con.run(`COPY ${table} FROM STDIN`)).rejects.toThrow(/needs a source: pass it as the 'stream' option/);
    expect(await con.run("SELECT 4")).toEqual([[4]]);
  });

  it("queries issued during a COPY wait for it (nothing interleaves with the copy data)", async () => {
    await reset();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const source = (async function* () {
      yield "1\tone\n";
      await gate;
      yield "2\ttwo\n";
    })();
    const copying = con.run(`COPY ${table} FROM STDIN`, null, { stream: source });
    const during = con.run(`SELECT count(*) FROM ${table}`);
    setTimeout(release, 50);
    await copying;
    expect(await during).toEqual([[2n]]);
  });

  it("a large COPY IN is read as it is sent", async () => {
    await reset();
    let produced = 0;
    const rows = 200_000;
    const source = (function* () {
      for (let i = 0; i < rows; i += 1000) {
        let chunk = "";
        for (let j = i; j < i + 1000; j++) chunk += `${j}\tname ${j}\n`;
        produced += 1000;
        yield chunk;
      }
    })();
    await con.run(`COPY ${table} FROM STDIN`, null, { stream: source });
    expect(produced).toBe(rows);
    expect(con.row_count).toBe(rows);
    expect(await con.run(`SELECT count(*), sum(id) FROM ${table}`)).toEqual([
      [BigInt(rows), BigInt((rows * (rows - 1)) / 2)],
    ]);
  });
});

describe("COPY TO STDOUT", () => {
  it("into { write(chunk) }", async () => {
    await reset();
    await con.run(`INSERT INTO ${table} VALUES (1, 'one'), (2, 'two')`);
    const chunks: Uint8Array[] = [];
    await con.run(`COPY ${table} TO STDOUT`, null, { stream: { write: (c: Uint8Array) => void chunks.push(c) } });
    expect(text(chunks)).toBe("1\tone\n2\ttwo\n");
    expect(con.row_count).toBe(2);
  });

  it("into a Node Writable, CSV with a header", async () => {
    const chunks: Uint8Array[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        chunks.push(chunk);
        cb();
      },
    });
    await con.run(`COPY (SELECT 1 AS a, 'x,y' AS b) TO STDOUT WITH (FORMAT csv, HEADER)`, null, { stream: sink });
    expect(text(chunks)).toBe('a,b\n1,"x,y"\n');
  });

  it("into a WHATWG WritableStream", async () => {
    const chunks: Uint8Array[] = [];
    const sink = new WritableStream<Uint8Array>({ write: (c) => void chunks.push(c) });
    await con.run("COPY (SELECT generate_series(1, 3)) TO STDOUT", null, { stream: sink });
    expect(text(chunks)).toBe("1\n2\n3\n");
  });

  it("a slow writer: the socket is paused, memory stays bounded, every byte arrives in order", async () => {
    const rows = 100_000;
    let received = 0;
    let maxPending = 0;
    let pending = 0;
    const sink = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _enc, cb) {
        pending += chunk.length;
        maxPending = Math.max(maxPending, pending);
        setImmediate(() => {
          received += chunk.length;
          pending -= chunk.length;
          cb();
        });
      },
    });
    const expectedBytes = Array.from({ length: rows }, (_, i) => `${i + 1}\n`).join("").length;
    await con.run(`COPY (SELECT generate_series(1, ${rows})) TO STDOUT`, null, { stream: sink });
    expect(received).toBe(expectedBytes);
    expect(maxPending).toBeLessThan(1024 * 1024);
  });

  it("a writer that throws: the error is raised after the COPY, connection usable", async () => {
    await expect(
      con.run("COPY (SELECT generate_series(1, 1000)) TO STDOUT", null, {
        stream: {
          write() {
            throw new Error("sink broke");
          },
        },
      }),
    ).rejects.toThrow("sink broke");
    expect(await con.run("SELECT 5")).toEqual([[5]]);
  });

  it("no stream → InterfaceError; connection usable", async () => {
    await expect(con.run("COPY (SELECT 1) TO STDOUT")).rejects.toThrow(/needs a destination/);
    expect(await con.run("SELECT 6")).toEqual([[6]]);
  });
});

describe("COPY through the DB-API cursor", () => {
  it("execute(sql, params, { stream }) with rowcount", async () => {
    const dbcon = await pg8000.connect(trustOptions());
    try {
      const cur = dbcon.cursor();
      const t = uniqueName("copy_db");
      await cur.execute(`CREATE TEMP TABLE ${t} (x int)`);
      await cur.execute(`COPY ${t} FROM STDIN`, null, { stream: new PassThrough().end("1\n2\n3\n") });
      expect(cur.rowcount).toBe(3);
      const chunks: Uint8Array[] = [];
      await cur.execute(`COPY ${t} TO STDOUT`, null, { stream: { write: (c: Uint8Array) => void chunks.push(c) } });
      expect(cur.rowcount).toBe(3);
      expect(text(chunks)).toBe("1\n2\n3\n");
      await dbcon.rollback();
    } finally {
      await dbcon.close();
    }
  });
});

describe("copy_from / copy_to", () => {
  it("copy_from a table name with any source, copy_to as an async iterable of chunks", async () => {
    await reset();
    expect(await con.copy_from(table, ["1\tone\n", "2\ttwo\n"])).toBe(2);
    expect(await con.copy_from(`${table} (id)`, "3\n")).toBe(1);
    const chunks: Uint8Array[] = [];
    for await (const chunk of con.copy_to(`SELECT id, name FROM ${table} ORDER BY id`)) chunks.push(chunk);
    expect(text(chunks)).toBe("1\tone\n2\ttwo\n3\t\\N\n");
  });

  it("copy_to read slowly pauses the socket and delivers every byte; breaking early leaves the connection usable", async () => {
    let bytes = 0;
    for await (const chunk of con.copy_to("SELECT generate_series(1, 200000)")) {
      bytes += chunk.length;
      if (bytes % 7 === 0) await new Promise((r) => setImmediate(r));
    }
    expect(bytes).toBe(Array.from({ length: 200000 }, (_, i) => `${i + 1}\n`).join("").length);
    for await (const _chunk of con.copy_to("SELECT generate_series(1, 100000)")) break;
    expect(await con.run("SELECT 7")).toEqual([[7]]);
  });

  it("copy_to of a failing query raises from the iterator", async () => {
    const consume = async () => {
      for await (const _chunk of con.copy_to("SELECT 1/0")) {
        /* nothing */
      }
    };
    await expect(consume()).rejects.toThrow(pg8000.DataError);
  });
});
