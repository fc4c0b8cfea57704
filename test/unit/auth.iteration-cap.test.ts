// A hostile server asking for an enormous SCRAM iteration count: refused at once with a clear
// error, before any PBKDF2 work. A tiny TCP server plays the backend (no real server would).

import * as net from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { MAX_SCRAM_ITERATIONS } from "../../src/core/auth/index.js";
import { InterfaceError } from "../../src/errors.js";
import { connect } from "../../src/native/index.js";

function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, "latin1");
  head.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([head, body]);
}

function authentication(code: number, data: Buffer = Buffer.alloc(0)): Buffer {
  const body = Buffer.alloc(4);
  body.writeInt32BE(code);
  return message("R", Buffer.concat([body, data]));
}

/** Offers SCRAM-SHA-256, then answers the client-first message with `iterations`. */
function hostileServer(iterations: string): net.Server {
  return net.createServer((sock) => {
    let step = 0;
    sock.on("error", () => undefined);
    sock.on("data", (data) => {
      if (step++ === 0) {
        sock.write(authentication(10, Buffer.from("SCRAM-SHA-256\0\0", "latin1")));
        return;
      }
      // SASLInitialResponse: 'p', length, mechanism\0, int32 length, "n,,n=,r=<nonce>"
      const text = data.toString("latin1");
      const nonce = /r=([^,]+)$/.exec(text)?.[1] ?? "";
      const salt = Buffer.from("saltsaltsalt").toString("base64");
      sock.write(authentication(11, Buffer.from(`r=${nonce}hostile,s=${salt},i=${iterations}`, "latin1")));
    });
  });
}

const servers: net.Server[] = [];
afterAll(async () => {
  for (const s of servers) await new Promise((r) => s.close(r));
});

async function listen(server: net.Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as net.AddressInfo).port;
}

describe("SCRAM iteration count cap", () => {
  it("is 1,000,000", () => {
    expect(MAX_SCRAM_ITERATIONS).toBe(1_000_000);
  });

  it.each(["4294967295", "1000001"])("a server asking for %s iterations is refused at once", async (iterations) => {
    const port = await listen(hostileServer(iterations));
    const started = Date.now();
    const err = await connect({ user: "u", password: "pw", host: "127.0.0.1", port, sslmode: "disable" }).catch(
      (e: unknown) => e,
    );
    expect(Date.now() - started).toBeLessThan(2000);
    expect(err).toBeInstanceOf(InterfaceError);
    expect((err as Error).message).toBe(
      `the server asks for ${iterations} SCRAM iterations, more than this driver's limit of 1,000,000; refusing to ` +
        "authenticate (a hostile server can use a huge count to tie up the client's CPU). If the server is yours, " +
        "lower its scram_iterations and reset the password",
    );
  });
});
