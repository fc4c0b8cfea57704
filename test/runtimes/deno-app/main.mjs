// Run by Deno in a project with the installed tarball (test/runtimes/deno.test.ts): one query
// over TCP (Deno's node:net), one through the bridge (Deno's WebSocket), one with the codec
// passed as bytes; prints the rows of each as JSON.
import { connect } from "pg8000/native";

const { tcp, bridge, sql } = JSON.parse(Deno.args[0]);

async function query(options) {
  const con = await connect(options);
  try {
    return await con.run(sql);
  } finally {
    await con.close();
  }
}

const codec = await Deno.readFile(new URL(import.meta.resolve("pg8000/codec.wasm")));
console.log(
  JSON.stringify({
    tcp: await query(tcp),
    bridge: await query(bridge),
    codecBytes: await query({ ...bridge, codec }),
  }),
);
