// Drizzle ORM through pg8000/drizzle: the library's typical operations against the test cluster.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { count, eq, gt, relations, sql } from "drizzle-orm";
import { bigint, integer, interval, jsonb, numeric, pgSchema, serial, text, timestamp } from "drizzle-orm/pg-core";
import { migrate } from "drizzle-orm/pg-proxy/migrator";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { drizzle } from "../../src/drizzle/index.js";
import { IntegrityError } from "../../src/errors.js";
import { Pool } from "../../src/native/index.js";
import { superOptions, uniqueName } from "./helpers.js";

const schemaName = uniqueName("drizzle");
const app = pgSchema(schemaName);
const users = app.table("users", {
  id: serial("id").primaryKey(),
  name: text("name").notNull().unique(),
  balance: numeric("balance", { precision: 10, scale: 2 }).notNull().default("0"),
  visits: bigint("visits", { mode: "bigint" }).notNull().default(0n),
  profile: jsonb("profile").$type<{ theme: string }>(),
  trial: interval("trial"),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});
const posts = app.table("posts", {
  id: serial("id").primaryKey(),
  authorId: integer("author_id")
    .notNull()
    .references(() => users.id),
  title: text("title").notNull(),
});
const usersRelations = relations(users, ({ many }) => ({ posts: many(posts) }));
const postsRelations = relations(posts, ({ one }) => ({
  author: one(users, { fields: [posts.authorId], references: [users.id] }),
}));

let pool: Pool;
let db: ReturnType<typeof makeDb>;
const makeDb = (p: Pool) => drizzle(p, { schema: { users, posts, usersRelations, postsRelations } });

beforeAll(async () => {
  pool = new Pool(superOptions());
  db = makeDb(pool);
  await pool.run(`CREATE SCHEMA ${schemaName}`);
  await pool.run(`CREATE TABLE ${schemaName}.users (
    id serial PRIMARY KEY, name text NOT NULL UNIQUE, balance numeric(10, 2) NOT NULL DEFAULT 0,
    visits int8 NOT NULL DEFAULT 0, profile jsonb, trial interval, created_at timestamptz NOT NULL DEFAULT now())`);
  await pool.run(`CREATE TABLE ${schemaName}.posts (
    id serial PRIMARY KEY, author_id int NOT NULL REFERENCES ${schemaName}.users (id), title text NOT NULL)`);
});
afterAll(async () => {
  await pool.run(`DROP SCHEMA ${schemaName} CASCADE`);
  await pool.close();
});

describe("Drizzle with pg8000/drizzle", () => {
  it("insert … returning gives typed rows mapped by Drizzle", async () => {
    const [ann] = await db
      .insert(users)
      .values({
        name: "Ann",
        balance: "12.50",
        visits: 9007199254740993n,
        profile: { theme: "dark" },
        trial: "14 days",
      })
      .returning();
    expectTypeOf(ann!.visits).toEqualTypeOf<bigint>();
    expectTypeOf(ann!.trial).toEqualTypeOf<string | null>();
    expect(ann).toMatchObject({
      name: "Ann",
      balance: "12.50",
      visits: 9007199254740993n,
      profile: { theme: "dark" },
      trial: "14 days",
    });
    expect(ann!.createdAt).toBeInstanceOf(Date);
    await db.insert(posts).values([
      { authorId: ann!.id, title: "First" },
      { authorId: ann!.id, title: "Second" },
    ]);
  });

  it("select with where, join and aggregate", async () => {
    const rows = await db
      .select({ name: users.name, title: posts.title })
      .from(posts)
      .innerJoin(users, eq(posts.authorId, users.id))
      .where(eq(users.name, "Ann"))
      .orderBy(posts.title);
    expect(rows).toEqual([
      { name: "Ann", title: "First" },
      { name: "Ann", title: "Second" },
    ]);
    const [{ n }] = (await db.select({ n: count() }).from(posts)) as [{ n: number }];
    expect(n).toBe(2);
    expect(await db.$count(posts)).toBe(2);
  });

  it("relational queries (db.query) with nested relations", async () => {
    const found = await db.query.users.findFirst({
      where: eq(users.name, "Ann"),
      columns: { name: true },
      with: { posts: { columns: { title: true }, orderBy: posts.title } },
    });
    expect(found).toEqual({ name: "Ann", posts: [{ title: "First" }, { title: "Second" }] });
  });

  it("update and delete report their row counts", async () => {
    await db.insert(users).values([{ name: "Bob" }, { name: "Cid" }]);
    const updated = await db.update(users).set({ balance: "1.00" }).where(gt(users.id, 0));
    expect([updated.command, updated.rowCount]).toEqual(["UPDATE", 3]);
    const deleted = await db.delete(users).where(eq(users.name, "Cid"));
    expect([deleted.command, deleted.rowCount]).toEqual(["DELETE", 1]);
    const changed = await db
      .update(users)
      .set({ balance: "2.00" })
      .where(eq(users.name, "Bob"))
      .returning({ name: users.name });
    expect(changed).toEqual([{ name: "Bob" }]);
  });

  it("db.execute(sql) returns object rows with the tag", async () => {
    const result = await db.execute<{ n: number }>(sql`SELECT ${5}::int AS n`);
    expect([...result]).toEqual([{ n: 5 }]);
    expect([result.command, result.rowCount]).toEqual(["SELECT", 1]);
  });

  it("a transaction commits on one connection", async () => {
    const pids = await db.transaction(async (tx) => {
      await tx.insert(users).values({ name: "Dee" });
      const a = await tx.execute<{ pid: number }>(sql`SELECT pg_backend_pid() AS pid`);
      await tx.update(users).set({ balance: "5.00" }).where(eq(users.name, "Dee"));
      const b = await tx.execute<{ pid: number }>(sql`SELECT pg_backend_pid() AS pid`);
      return [a[0]!.pid, b[0]!.pid];
    });
    expect(pids[0]).toBe(pids[1]);
    const [dee] = await db.select({ balance: users.balance }).from(users).where(eq(users.name, "Dee"));
    expect(dee).toEqual({ balance: "5.00" });
  });

  it("tx.rollback() and a thrown error both roll back", async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.insert(users).values({ name: "Eve" });
        tx.rollback();
      }),
    ).rejects.toThrow("Rollback");
    const error = await db
      .transaction(async (tx) => {
        await tx.insert(users).values({ name: "Fay" });
        await tx.insert(users).values({ name: "Ann" });
      })
      .catch((e: unknown) => e);
    // Drizzle wraps driver errors in its DrizzleQueryError; ours is the cause, fields and all.
    const cause = (error as Error).cause;
    expect(cause).toBeInstanceOf(IntegrityError);
    expect(cause).toMatchObject({ code: "23505", constraint: "users_name_key", table: "users", schema: schemaName });
    const names = await db.select({ name: users.name }).from(users).where(sql`${users.name} IN ('Eve', 'Fay')`);
    expect(names).toEqual([]);
    expect(pool.total).toBeLessThanOrEqual(10);
  });

  it("a nested transaction is a savepoint: its rollback keeps the outer work", async () => {
    await db.transaction(async (tx) => {
      await tx.insert(users).values({ name: "Gus" });
      await tx
        .transaction(async (inner) => {
          await inner.insert(users).values({ name: "Hal" });
          inner.rollback();
        })
        .catch(() => undefined);
    });
    const names = await db.select({ name: users.name }).from(users).where(sql`${users.name} IN ('Gus', 'Hal')`);
    expect(names).toEqual([{ name: "Gus" }]);
  });

  it("transaction settings: isolation level and access mode", async () => {
    const level = await db.transaction(
      async (tx) => (await tx.execute<{ l: string }>(sql`SELECT current_setting('transaction_isolation') AS l`))[0]!.l,
      { isolationLevel: "serializable", accessMode: "read only" },
    );
    expect(level).toBe("serializable");
  });

  it("migrations through drizzle-orm/pg-proxy's migrator, run in a pool transaction", async () => {
    const folder = mkdtempSync(join(tmpdir(), "pg8000-drizzle-migrations-"));
    try {
      mkdirSync(join(folder, "meta"));
      const when = Date.now();
      writeFileSync(
        join(folder, "meta/_journal.json"),
        JSON.stringify({
          version: "7",
          dialect: "postgresql",
          entries: [{ idx: 0, when, tag: "0000_tags", breakpoints: true }],
        }),
      );
      writeFileSync(
        join(folder, "0000_tags.sql"),
        `CREATE TABLE ${schemaName}.tags (id serial PRIMARY KEY, label text NOT NULL);\n--> statement-breakpoint\n` +
          `INSERT INTO ${schemaName}.tags (label) VALUES ('first');`,
      );
      await migrate(
        db,
        (queries) =>
          pool.transaction(async (con) => {
            for (const query of queries) await con.run(query);
          }),
        { migrationsFolder: folder },
      );
      expect(await pool.run(`SELECT label FROM ${schemaName}.tags`)).toEqual([["first"]]);
      const applied = await pool.run("SELECT count(*)::int FROM drizzle.__drizzle_migrations WHERE created_at = :w", {
        w: String(when),
      });
      expect(applied).toEqual([[1]]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it("runs its $n SQL as written: an array slice a[lo:hi] and '::' casts are no :name placeholders", async () => {
    const query = sql`SELECT (a)[lo:hi] AS s, 'x::y'::text AS t
      FROM (SELECT ${"{10,20,30,40}"}::int[] AS a, ${2}::int AS lo, 3 AS hi) AS q`;
    const result = await db.execute(query);
    expect([...result]).toEqual([{ s: [20, 30], t: "x::y" }]);
    // The query builder's path (rows as arrays): visits is 0 for a new user.
    await db.insert(users).values({ name: "array slicer" });
    const selected = await db
      .select({ slice: sql<number[]>`(ARRAY[10, 20, 30])[1:visits + 2]` })
      .from(users)
      .where(eq(users.name, "array slicer"));
    expect(selected).toEqual([{ slice: [10, 20] }]);
  });
});
