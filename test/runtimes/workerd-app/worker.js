// A Cloudflare Worker using the installed tarball (test/runtimes/workerd.test.ts): each request
// runs the query it carries through the bridge, with or without passing the codec, imported as a
// compiled WebAssembly.Module (workerd cannot compile WASM at run time), as connect({ codec }).

import codec from "pg8000/codec.wasm";
import { connect } from "pg8000/native";

export default {
  async fetch(request) {
    const { options, sql, passCodec } = await request.json();
    try {
      const con = await connect(passCodec ? { ...options, codec } : options);
      try {
        return Response.json({ rows: await con.run(sql) });
      } finally {
        await con.close();
      }
    } catch (err) {
      return Response.json({ error: `${err.name}: ${err.message}` });
    }
  },
};
