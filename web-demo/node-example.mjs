// `npm start` until the browser notebook lands: a few queries against DATABASE_URL
// (or postgres@localhost:5432), using the built package.
import { connect } from "../dist/native/index.js";

const target = process.env.DATABASE_URL ?? { user: process.env.PGUSER ?? "postgres", host: "localhost", port: 5432 };
let con;
try {
  con = await connect(target);
} catch (err) {
  console.error(`Could not connect (${err.message}).`);
  console.error("Set DATABASE_URL, e.g. DATABASE_URL=postgresql://user:password@localhost:5432/postgres npm start");
  process.exit(1);
}
const [[version]] = await con.run("SELECT version()");
console.log(`Connected: ${version}`);
console.log(await con.run("SELECT :n::int AS n, now() AS at, gen_random_uuid() AS id", { n: 42 }));
console.log(con.columns.map((c) => `${c.name} (oid ${c.type_oid})`).join(", "));
await con.close();
