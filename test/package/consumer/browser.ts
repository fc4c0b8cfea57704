// A browser project's use of every browser-facing entry point, type-checked strictly with the
// DOM lib and no @types/* at all (test/package/pack.test.ts).

import * as dbapi from "pg8000";
import { ColumnKind, loadCodec } from "pg8000/codec";
import { type ConnectOptions, connect, DatabaseError, identifier, literal } from "pg8000/native";

const options: ConnectOptions = { user: "app", bridge: { url: "wss://db.example.com/pg", token: "t", target: "main" } };

export async function firstValue(codec: WebAssembly.Module): Promise<number> {
  const con = await connect({ ...options, codec });
  try {
    const rows = await con.run("SELECT $1::int", [1]);
    const value: unknown = rows?.[0]?.[0];
    return typeof value === "number" ? value : -1;
  } catch (err) {
    if (err instanceof DatabaseError) return Number(err.fields.C ?? -1);
    throw err;
  } finally {
    await con.close();
  }
}

export async function framesWith(bytes: Uint8Array): Promise<void> {
  const codec = await loadCodec({ module: bytes });
  codec.setPlan([ColumnKind.Int4, ColumnKind.Text]);
}

export async function dbapiRows(): Promise<number> {
  const con = await dbapi.connect({ user: "app", bridge: "wss://db.example.com/pg" });
  const cursor = con.cursor();
  await cursor.execute("SELECT %s", [literal("x")]);
  return (await cursor.fetchall()).length;
}

export const quoted: string = identifier("a b");
export const style: string = dbapi.paramstyle;

// @ts-expect-error the options are checked: a misspelt name is an error
export const misspelt: ConnectOptions = { user: "u", ssl_contxt: true };
