import { connect } from "pg8000/native";

self.onmessage = async (event) => {
  const { options, sql } = event.data;
  try {
    const con = await connect(options);
    const rows = await con.run(sql);
    await con.close();
    self.postMessage({ rows });
  } catch (err) {
    self.postMessage({ error: `${err.name}: ${err.message}` });
  }
};
