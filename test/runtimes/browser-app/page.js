// The page and Web Worker app of test/runtimes/chromium.test.ts, built by Vite from the
// installed tarball: each runs one query through the bridge and reports rows or the error.
import { connect } from "pg8000/native";

async function query(options, sql) {
  const con = await connect(options);
  try {
    return await con.run(sql);
  } finally {
    await con.close();
  }
}

window.queryInPage = (options, sql) => query(options, sql);

window.queryInWorker = (options, sql) =>
  new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
    worker.onmessage = (event) => {
      worker.terminate();
      if (event.data.error) reject(new Error(event.data.error));
      else resolve(event.data.rows);
    };
    worker.onerror = (event) => reject(new Error(event.message));
    worker.postMessage({ options, sql });
  });

window.ready = true;
