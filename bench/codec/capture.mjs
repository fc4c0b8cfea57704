// Records the server's bytes of W1's result as each client receives them on a real socket (the
// chunk boundaries included), for the codec microbenchmark to replay from memory.
//   binary: our driver, second run of the cached statement (Bind → binary results where the
//           codec decodes them), recorded from BindComplete to ReadyForQuery;
//   text:   node-postgres, second run of its named statement (text results, with the
//           RowDescription its Describe brings).

import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import pg from "pg";
import { SQL } from "../lib/drivers.mjs";

function save(dir, name, chunks, meta) {
  const bytes = Buffer.concat(chunks);
  fs.writeFileSync(path.join(dir, `${name}.bin`), bytes);
  const info = { name, lengths: chunks.map((c) => c.length), bytes: bytes.length, ...meta };
  fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(info));
  return info;
}

export async function captureW1(server, dir, rows) {
  fs.mkdirSync(dir, { recursive: true });
  const { connect } = await import("../../dist/native/index.js");

  // Ours, through a socket we own so we can listen to it too.
  const sock = net.connect({ host: server.host, port: server.port });
  const ours = [];
  let recording = false;
  sock.on("data", (chunk) => {
    if (recording) ours.push(Buffer.from(chunk));
  });
  const con = await connect({
    user: server.user,
    password: server.password,
    database: server.database,
    sock,
    ssl_context: false,
  });
  await con.run(SQL.w1, [rows]);
  recording = true;
  const got = (await con.run(SQL.w1, [rows]))?.length ?? 0;
  recording = false;
  const columns = con.columns;
  await con.close();
  const binary = save(dir, "binary", ours, { rows: got, columns, hasRowDescription: false });

  // node-postgres, tapping its socket.
  const client = new pg.Client({
    host: server.host,
    port: server.port,
    user: server.user,
    password: server.password,
    database: server.database,
  });
  await client.connect();
  const query = () => client.query({ name: "w1", text: SQL.w1, values: [rows], rowMode: "array" });
  await query();
  const theirs = [];
  const tap = (chunk) => theirs.push(Buffer.from(chunk));
  client.connection.stream.on("data", tap);
  const r = await query();
  client.connection.stream.off("data", tap);
  await client.end();
  const text = save(dir, "text", theirs, { rows: r.rows.length, columns: null, hasRowDescription: true });
  return [text, binary];
}

/** Loads a saved capture, its chunks as Buffers. */
export function loadCapture(dir, name) {
  const info = JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), "utf8"));
  const all = fs.readFileSync(path.join(dir, `${name}.bin`));
  const chunks = [];
  let at = 0;
  for (const n of info.lengths) {
    chunks.push(Buffer.from(all.subarray(at, at + n))); // own buffers, as sockets deliver them
    at += n;
  }
  return { ...info, chunks };
}
