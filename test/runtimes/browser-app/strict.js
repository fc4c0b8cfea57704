// Served with `Content-Security-Policy: script-src 'self'`: the page may not compile WebAssembly.
// A worker (served without that policy) compiles the codec and hands the page the module.
import { connect } from "pg8000/native";

window.connectPlainly = async (options) => {
  try {
    const con = await connect(options);
    await con.close();
    return "connected";
  } catch (err) {
    return `${err.name}: ${err.message}`;
  }
};

function codecFromWorker() {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./compile-codec.js", import.meta.url), { type: "module" });
    worker.onmessage = (event) => {
      worker.terminate();
      if (event.data instanceof WebAssembly.Module) resolve(event.data);
      else reject(new Error(String(event.data)));
    };
  });
}

window.queryWithCodec = async (options, sql) => {
  const codec = await codecFromWorker();
  const con = await connect({ ...options, codec });
  try {
    return await con.run(sql);
  } finally {
    await con.close();
  }
};

window.ready = true;
