// Kysely through pg8000/kysely: the library's typical operations against the test cluster.

import { type ColumnType, type Generated, Kysely, sql } from "kysely";
import { type Migration, Migrator } from "kysely/migration";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { IntegrityError } from "../../src/errors.js";
import { Pg8000Dialect } from "../../src/kysely/index.js";
import { BIGINT, Pool } from "../../src/native/index.js";
import { superOptions, trustOptions, uniqueName } from "./helpers.js";

interface PersonTable {
  id: Generated<number>;
  first_name: string;
  last_name: string | null;
  created_at: ColumnType<Date, Date | undefined, never>;
}
interface PetTable {
  id: Generated<number>;
  name: string;
  owner_id: number;
  species: "cat" | "dog";
}
interface DB {
  person: PersonTable;
  pet: PetTable;
}

// Everything of this file lives in its own schema, found first through search_path.
const schema = uniqueName("kysely");
let pool: Pool;
let db: Kysely<DB>;

beforeAll(async () => {
  pool = new Pool({ ...superOptions(), on_connect: (con) => con.run(`SET search_path TO ${schema}`).then(() => {}) });
  await pool.run(`CREATE SCHEMA ${schema}`);
  db = new Kysely<DB>({ dialect: new Pg8000Dialect({ pool }) });
  await db.schema
    .createTable("person")
    .addColumn("id", "serial", (c) => c.primaryKey())
    .addColumn("first_name", "varchar(50)", (c) => c.notNull().unique())
    .addColumn("last_name", "text")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable("pet")
    .addColumn("id", "serial", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("owner_id", "integer", (c) => c.notNull().references("person.id").onDelete("cascade"))
    .addColumn("species", "text", (c) => c.notNull())
    .execute();
});
afterAll(async () => {
  await pool.run(`DROP SCHEMA ${schema} CASCADE`);
  await db.destroy();
  expect(pool.total).toBe(0);
});

describe("Kysely with Pg8000Dialect", () => {
  it("insert … returning, then a typed select with a join", async () => {
    const jennifer = await db
      .insertInto("person")
      .values({ first_name: "Jennifer", last_name: "Aniston" })
      .returning(["id", "first_name", "created_at"])
      .executeTakeFirstOrThrow();
    expect(jennifer.first_name).toBe("Jennifer");
    expect(jennifer.created_at).toBeInstanceOf(Date);
    await db
      .insertInto("pet")
      .values([
        { name: "Catto", owner_id: jennifer.id, species: "cat" },
        { name: "Doggo", owner_id: jennifer.id, species: "dog" },
      ])
      .execute();
    const rows = await db
      .selectFrom("person")
      .innerJoin("pet", "pet.owner_id", "person.id")
      .select(["person.first_name", "pet.name as pet_name", "pet.species"])
      .where("person.id", "=", jennifer.id)
      .orderBy("pet.name")
      .execute();
    expect(rows).toEqual([
      { first_name: "Jennifer", pet_name: "Catto", species: "cat" },
      { first_name: "Jennifer", pet_name: "Doggo", species: "dog" },
    ]);
  });

  it("numbers of inserted, updated and deleted rows come from the command tag", async () => {
    const inserted = await db
      .insertInto("person")
      .values([{ first_name: "Ann" }, { first_name: "Bob" }, { first_name: "Cid" }])
      .executeTakeFirst();
    expect(inserted.numInsertedOrUpdatedRows).toBe(3n);
    const updated = await db
      .updateTable("person")
      .set({ last_name: "Smith" })
      .where("first_name", "in", ["Ann", "Bob"])
      .executeTakeFirst();
    expect(updated.numUpdatedRows).toBe(2n);
    const deleted = await db.deleteFrom("person").where("first_name", "=", "Cid").executeTakeFirst();
    expect(deleted.numDeletedRows).toBe(1n);
    const none = await db.deleteFrom("person").where("first_name", "=", "Nobody").executeTakeFirst();
    expect(none.numDeletedRows).toBe(0n);
  });

  it("count(*) is a lossless bigint by default", async () => {
    const { n } = await db
      .selectFrom("person")
      .select((eb) => eb.fn.countAll().as("n"))
      .where("last_name", "=", "Smith")
      .executeTakeFirstOrThrow();
    expect(n).toBe(2n);
  });

  it("a transaction commits", async () => {
    const id = await db.transaction().execute(async (trx) => {
      const person = await trx
        .insertInto("person")
        .values({ first_name: "Committed" })
        .returning("id")
        .executeTakeFirstOrThrow();
      await trx.insertInto("pet").values({ name: "Rex", owner_id: person.id, species: "dog" }).execute();
      return person.id;
    });
    const pets = await db.selectFrom("pet").select("name").where("owner_id", "=", id).execute();
    expect(pets).toEqual([{ name: "Rex" }]);
  });

  it("a transaction that throws rolls back; the constraint error carries its name", async () => {
    const error = await db
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto("person").values({ first_name: "Rolled back" }).execute();
        await trx.insertInto("person").values({ first_name: "Jennifer" }).execute();
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IntegrityError);
    expect(error).toMatchObject({ code: "23505", constraint: "person_first_name_key", table: "person" });
    const found = await db.selectFrom("person").select("id").where("first_name", "=", "Rolled back").execute();
    expect(found).toEqual([]);
  });

  it("a controlled transaction with a savepoint rolled back to", async () => {
    const trx = await db.startTransaction().execute();
    await trx.insertInto("person").values({ first_name: "Kept" }).execute();
    const sp = await trx.savepoint("before_oops").execute();
    await sp.insertInto("person").values({ first_name: "Undone" }).execute();
    const back = await sp.rollbackToSavepoint("before_oops").execute();
    await back.commit().execute();
    const names = await db
      .selectFrom("person")
      .select("first_name")
      .where("first_name", "in", ["Kept", "Undone"])
      .execute();
    expect(names).toEqual([{ first_name: "Kept" }]);
  });

  it("stream() reads in chunks through a portal and stops early when the loop breaks", async () => {
    const owner = await db
      .insertInto("person")
      .values({ first_name: "Many pets" })
      .returning("id")
      .executeTakeFirstOrThrow();
    await db
      .insertInto("pet")
      .values(
        Array.from({ length: 250 }, (_, i) => ({ name: `pet ${i}`, owner_id: owner.id, species: "cat" as const })),
      )
      .execute();
    const seen: string[] = [];
    for await (const pet of db
      .selectFrom("pet")
      .select(["name", "species"])
      .where("owner_id", "=", owner.id)
      .orderBy("id")
      .stream(40)) {
      seen.push(pet.name);
      expect(pet.species).toBe("cat");
    }
    expect(seen).toEqual(Array.from({ length: 250 }, (_, i) => `pet ${i}`));
    let taken = 0;
    for await (const _ of db.selectFrom("pet").select("id").where("owner_id", "=", owner.id).stream(10)) {
      if (++taken === 15) break;
    }
    expect(taken).toBe(15);
    expect(await db.selectFrom("person").select("id").where("id", "=", owner.id).execute()).toEqual([{ id: owner.id }]);
  });

  it("introspection lists the tables and columns", async () => {
    const tables = (await db.introspection.getTables()).filter((t) => t.schema === schema);
    expect(tables.map((t) => t.name).sort()).toEqual(["person", "pet"]);
    const person = tables.find((t) => t.name === "person")!;
    expect(person.columns.map((c) => [c.name, c.dataType, c.isNullable, c.isAutoIncrementing])).toEqual([
      ["id", "int4", false, true],
      ["first_name", "varchar", false, false],
      ["last_name", "text", true, false],
      ["created_at", "timestamptz", false, false],
    ]);
  });

  it("migrations run up and down (Kysely's Migrator with its lock)", async () => {
    const migrations: Record<string, Migration> = {
      "2026_01_add_toy": {
        up: (m) =>
          m.schema
            .createTable("toy")
            .addColumn("id", "serial", (c) => c.primaryKey())
            .execute(),
        down: (m) => m.schema.dropTable("toy").execute(),
      },
      "2026_02_add_toy_name": {
        up: (m) => m.schema.alterTable("toy").addColumn("name", "text").execute(),
        down: (m) => m.schema.alterTable("toy").dropColumn("name").execute(),
      },
    };
    const migrator = new Migrator({
      db,
      provider: { getMigrations: async () => migrations },
      migrationTableSchema: schema,
    });
    const up = await migrator.migrateToLatest();
    expect(up.error).toBeUndefined();
    expect(up.results?.map((r) => [r.migrationName, r.direction, r.status])).toEqual([
      ["2026_01_add_toy", "Up", "Success"],
      ["2026_02_add_toy_name", "Up", "Success"],
    ]);
    expect(await pool.run(`SELECT to_regclass('${schema}.toy') IS NOT NULL`)).toEqual([[true]]);
    const down = await migrator.migrateDown();
    expect(down.results?.map((r) => [r.migrationName, r.direction, r.status])).toEqual([
      ["2026_02_add_toy_name", "Down", "Success"],
    ]);
    const columns = await pool.run(
      "SELECT column_name FROM information_schema.columns WHERE table_schema = :s AND table_name = 'toy'",
      { s: schema },
    );
    expect(columns).toEqual([["id"]]);
  });

  it('an aborted query with inflightQueryAbortStrategy "cancel query" is cancelled on the server', async () => {
    const controller = new AbortController();
    const query = db
      .selectNoFrom(sql<string>`pg_sleep(30)::text`.as("slept"))
      .execute({ signal: controller.signal, inflightQueryAbortStrategy: "cancel query" });
    setTimeout(() => controller.abort(new Error("user navigated away")), 200);
    await expect(query).rejects.toThrow("user navigated away");
    // Cancelled, not left running for 30 s: the connection is back in the pool well before.
    await vi.waitFor(() => expect(pool.idle).toBe(pool.total), { timeout: 10_000 });
    const running = await pool.run(
      "SELECT count(*)::int FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()",
    );
    expect(running).toEqual([[0]]);
  });

  it("count(*) as number: register_in_adapter(BIGINT, Number) on each pool connection", async () => {
    const numbers = new Pool({
      ...trustOptions(),
      on_connect: (con) => con.register_in_adapter(BIGINT, Number),
    });
    const numberDb = new Kysely<DB>({ dialect: new Pg8000Dialect({ pool: numbers }) });
    const { n } = await numberDb.selectNoFrom((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
    expect(n).toBe(1);
    expect(JSON.stringify({ n })).toBe('{"n":1}');
    await numberDb.destroy();
  });

  it("runs its $n SQL as written: an array slice a[lo:hi] and '::' casts are no :name placeholders", async () => {
    const arrays = sql<{ s: number[]; t: string }>`SELECT (a)[lo:hi] AS s, 'x::y'::text AS t
      FROM (SELECT ${"{10,20,30,40}"}::int[] AS a, ${2}::int AS lo, 3 AS hi) AS q`;
    const { rows } = await arrays.execute(db);
    expect(rows).toEqual([{ s: [20, 30], t: "x::y" }]);
    // Streamed through a portal too.
    const streamed: unknown[] = [];
    const compiled = arrays.compile(db);
    for await (const batch of db.getExecutor().stream(compiled, 10)) streamed.push(...batch.rows);
    expect(streamed).toEqual([{ s: [20, 30], t: "x::y" }]);
  });
});
