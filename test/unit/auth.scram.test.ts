// SCRAM-SHA-256 client: the RFC 7677 §3 test vector, plus exchanges checked by an independent
// server-side computation written with node:crypto here (src/ reaches node:crypto only at run time,
// through process.getBuiltinModule, and has WebCrypto + @noble/hashes where that is missing).

import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  chooseScramMechanism,
  ScramClient,
  type ScramClientOptions,
  type ScramMechanism,
} from "../../src/core/auth/index.js";
import { InterfaceError } from "../../src/errors.js";

const CLIENT_NONCE = "rOprNGfwEbeRWgbNEkqO";
const SERVER_FIRST_RFC = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
const CLIENT_FINAL_RFC =
  "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0," + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
const SERVER_FINAL_RFC = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

function client(options: Partial<ScramClientOptions> = {}): ScramClient {
  return new ScramClient({
    mechanism: "SCRAM-SHA-256",
    password: "pencil",
    clientNonce: CLIENT_NONCE,
    ...options,
  });
}

/** A SCRAM server made with node:crypto; `password` is exactly the string its secret was made from. */
function testServer(password: string, salt = randomBytes(16), iterations = 4096) {
  const hmac = (key: Buffer, data: string | Buffer) => createHmac("sha256", key).update(data).digest();
  const salted = pbkdf2Sync(Buffer.from(password, "utf8"), salt, iterations, 32, "sha256");
  const storedKey = createHash("sha256").update(hmac(salted, "Client Key")).digest();
  const serverKey = hmac(salted, "Server Key");
  const serverNonce = randomBytes(18).toString("base64");
  return {
    first(clientFirst: string): string {
      const nonce = /,r=([^,]+)$/.exec(clientFirst)![1];
      return `r=${nonce}${serverNonce},s=${salt.toString("base64")},i=${iterations}`;
    },
    /** Checks the client proof like a server would and returns the server-final-message. */
    final(clientFirst: string, serverFirst: string, clientFinal: string): string {
      const gs2End = clientFirst.indexOf(",", clientFirst.indexOf(",") + 1) + 1;
      const clientFirstBare = clientFirst.slice(gs2End);
      const proofAt = clientFinal.lastIndexOf(",p=");
      const withoutProof = clientFinal.slice(0, proofAt);
      const proof = Buffer.from(clientFinal.slice(proofAt + 3), "base64");
      const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
      const clientSignature = hmac(storedKey, authMessage);
      const clientKey = Buffer.from(proof.map((b, i) => b ^ clientSignature[i]!));
      if (!createHash("sha256").update(clientKey).digest().equals(storedKey)) return "e=invalid-proof";
      return `v=${hmac(serverKey, authMessage).toString("base64")}`;
    },
  };
}

async function exchange(scram: ScramClient, server: ReturnType<typeof testServer>) {
  const clientFirst = scram.clientFirstMessage();
  const serverFirst = server.first(clientFirst);
  const clientFinal = await scram.clientFinalMessage(serverFirst);
  const serverFinal = server.final(clientFirst, serverFirst, clientFinal);
  return { clientFirst, serverFirst, clientFinal, serverFinal };
}

async function rejection(promise: Promise<unknown>): Promise<InterfaceError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InterfaceError);
  return err as InterfaceError;
}

describe("RFC 7677 test vector", () => {
  it("reproduces every message of the example exchange", async () => {
    const scram = client({ username: "user" });
    expect(scram.clientFirstMessage()).toBe(`n,,n=user,r=${CLIENT_NONCE}`);
    expect(await scram.clientFinalMessage(SERVER_FIRST_RFC)).toBe(CLIENT_FINAL_RFC);
    await expect(scram.verifyServerFinal(SERVER_FINAL_RFC)).resolves.toBeUndefined();
  });

  it("sends an empty user name by default, as PostgreSQL expects", () => {
    expect(client().clientFirstMessage()).toBe(`n,,n=,r=${CLIENT_NONCE}`);
  });

  it("escapes '=' and ',' in a user name", () => {
    expect(client({ username: "a=b,c" }).clientFirstMessage()).toBe(`n,,n=a=3Db=2Cc,r=${CLIENT_NONCE}`);
  });
});

describe("ScramClient exchanges", () => {
  it("generates a fresh 24-character base64 nonce per client", () => {
    const nonceOf = (c: ScramClient) => c.clientFirstMessage().slice("n,,n=,r=".length);
    const a = nonceOf(new ScramClient({ mechanism: "SCRAM-SHA-256", password: "x" }));
    const b = nonceOf(new ScramClient({ mechanism: "SCRAM-SHA-256", password: "x" }));
    expect(a).toMatch(/^[A-Za-z0-9+/]{24}$/);
    expect(a).not.toBe(b);
  });

  it("completes against an independently computed server, with a random nonce", async () => {
    const server = testServer("s3cret pässword");
    const scram = new ScramClient({ mechanism: "SCRAM-SHA-256", password: "s3cret pässword" });
    const { serverFinal } = await exchange(scram, server);
    expect(serverFinal).toMatch(/^v=/);
    await scram.verifyServerFinal(serverFinal);
  });

  it("binds to the TLS certificate hash with SCRAM-SHA-256-PLUS", async () => {
    const cbData = Uint8Array.from(createHash("sha256").update("a certificate").digest());
    const scram = client({ mechanism: "SCRAM-SHA-256-PLUS", channelBinding: cbData });
    const server = testServer("pencil");
    const { clientFirst, clientFinal, serverFinal } = await exchange(scram, server);
    expect(clientFirst).toBe(`p=tls-server-end-point,,n=,r=${CLIENT_NONCE}`);
    const expectedC = Buffer.concat([Buffer.from("p=tls-server-end-point,,"), cbData]).toString("base64");
    expect(clientFinal.split(",")[0]).toBe(`c=${expectedC}`);
    await scram.verifyServerFinal(serverFinal);
  });

  it('sends gs2 flag "y" on TLS when the server did not offer PLUS', async () => {
    const scram = client({ tlsAvailable: true });
    const { clientFirst, clientFinal, serverFinal } = await exchange(scram, testServer("pencil"));
    expect(clientFirst).toBe(`y,,n=,r=${CLIENT_NONCE}`);
    expect(clientFinal.split(",")[0]).toBe(`c=${Buffer.from("y,,").toString("base64")}`);
    await scram.verifyServerFinal(serverFinal);
  });

  it('treats channel binding data with plain SCRAM-SHA-256 as "TLS available"', () => {
    expect(client({ channelBinding: new Uint8Array([1, 2, 3]) }).clientFirstMessage()).toMatch(/^y,,/);
    expect(client({ channelBinding: null, tlsAvailable: false }).clientFirstMessage()).toMatch(/^n,,/);
  });

  it("refuses SCRAM-SHA-256-PLUS without channel binding data", () => {
    expect(() => client({ mechanism: "SCRAM-SHA-256-PLUS" })).toThrow(InterfaceError);
    expect(() => client({ mechanism: "SCRAM-SHA-256-PLUS", channelBinding: new Uint8Array(0) })).toThrow(
      InterfaceError,
    );
  });

  it("applies SASLprep to the password (soft hyphen removed, Roman numeral decomposed)", async () => {
    const server = testServer("IX");
    const scram = client({ password: "I\u00ADX" });
    const { serverFinal } = await exchange(scram, server);
    expect(serverFinal).toMatch(/^v=/);
    const ninth = client({ password: "\u2168" });
    expect((await exchange(ninth, testServer("IX"))).serverFinal).toMatch(/^v=/);
  });

  it("hashes the raw password when SASLprep rejects it", async () => {
    const raw = "tab\there\u0627"; // a control character and a bidi violation
    const { serverFinal } = await exchange(client({ password: raw }), testServer(raw));
    expect(serverFinal).toMatch(/^v=/);
  });

  it("rejects out-of-order use", async () => {
    const scram = client();
    await rejection(scram.clientFinalMessage(SERVER_FIRST_RFC));
    scram.clientFirstMessage();
    expect(() => scram.clientFirstMessage()).toThrow(InterfaceError);
    await rejection(scram.verifyServerFinal(SERVER_FINAL_RFC));
  });

  it("cannot verify a server-final after an invalid server-first", async () => {
    const scram = client();
    scram.clientFirstMessage();
    await rejection(scram.clientFinalMessage("r=bogus,s=QUJD,i=1"));
    await rejection(scram.verifyServerFinal(SERVER_FINAL_RFC));
  });
});

describe("server messages that must fail", () => {
  const PASSWORD = "pencil-secret-Ünïcode";

  async function failFirst(serverFirst: string): Promise<InterfaceError> {
    const scram = client({ password: PASSWORD });
    scram.clientFirstMessage();
    const err = await rejection(scram.clientFinalMessage(serverFirst));
    expect(err.message).not.toContain(PASSWORD);
    return err;
  }

  async function failFinal(serverFinal: string): Promise<InterfaceError> {
    const scram = client({ password: PASSWORD });
    const server = testServer(PASSWORD);
    const { serverFinal: genuine } = await exchange(scram, server);
    expect(genuine).toMatch(/^v=/);
    const err = await rejection(scram.verifyServerFinal(serverFinal));
    expect(err.message).not.toContain(PASSWORD);
    return err;
  }

  it("rejects a tampered server signature", async () => {
    const err = await failFinal(SERVER_FINAL_RFC);
    expect(err.message).toMatch(/server signature mismatch/);
  });

  it("rejects a server signature with one bit flipped", async () => {
    const scram = client({ password: PASSWORD });
    const { serverFinal } = await exchange(scram, testServer(PASSWORD));
    const signature = Buffer.from(serverFinal.slice(2), "base64");
    signature[0]! ^= 1;
    const err = await rejection(scram.verifyServerFinal(`v=${signature.toString("base64")}`));
    expect(err.message).toMatch(/server signature mismatch/);
  });

  it("reports an e= server error with the server's text", async () => {
    const err = await failFinal("e=invalid-proof");
    expect(err.message).toMatch(/SCRAM authentication failed.*invalid-proof/);
  });

  it("rejects malformed server-final messages", async () => {
    expect((await failFinal("x=1")).message).toMatch(/invalid SCRAM server-final-message/);
    expect((await failFinal("")).message).toMatch(/invalid SCRAM server-final-message/);
    expect((await failFinal("v=not base64!")).message).toMatch(/base64/);
  });

  it("rejects a nonce that does not extend the client nonce", async () => {
    const err = await failFirst("r=someoneElsesNonce123,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");
    expect(err.message).toMatch(/nonce/);
    await failFirst(`r=${CLIENT_NONCE},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`); // nothing appended
    await failFirst(`r=X${CLIENT_NONCE}abc,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`);
  });

  it("rejects bad salts and iteration counts", async () => {
    const r = `r=${CLIENT_NONCE}server`;
    expect((await failFirst(`${r},s=not*base64,i=4096`)).message).toMatch(/salt/);
    expect((await failFirst(`${r},s=QUJD=,i=4096`)).message).toMatch(/salt/);
    expect((await failFirst(`${r},s=,i=4096`)).message).toMatch(/salt/);
    for (const i of ["0", "-1", "abc", "4096.5", "", "01", "99999999999"]) {
      expect((await failFirst(`${r},s=QUJD,i=${i}`)).message).toMatch(/iteration/);
    }
  });

  it("rejects missing or reordered attributes and mandatory extensions", async () => {
    const r = `r=${CLIENT_NONCE}server`;
    await failFirst(`${r},s=QUJD`);
    await failFirst(`s=QUJD,${r},i=4096`);
    await failFirst(`${r};s=QUJD;i=4096`);
    expect((await failFirst(`m=ext,${r},s=QUJD,i=4096`)).message).toMatch(/extension/);
  });

  it("accepts extensions after the iteration count", async () => {
    const scram = client();
    scram.clientFirstMessage();
    const final = scram.clientFinalMessage(`r=${CLIENT_NONCE}server,s=QUJD,i=1,x=ext`);
    await expect(final).resolves.toMatch(/^c=biws,/);
  });

  it("reports an e= in place of the server-first-message", async () => {
    expect((await failFirst("e=other-error")).message).toMatch(/other-error/);
  });
});

describe("without crypto.subtle, as on browser pages that are not a secure context", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("falls back to @noble/hashes and still reproduces the RFC 7677 vector", async () => {
    const real = globalThis.crypto;
    vi.stubGlobal("crypto", { getRandomValues: real.getRandomValues.bind(real) });
    const scram = client({ username: "user" });
    scram.clientFirstMessage();
    expect(await scram.clientFinalMessage(SERVER_FIRST_RFC)).toBe(CLIENT_FINAL_RFC);
    await scram.verifyServerFinal(SERVER_FINAL_RFC);
    const random = new ScramClient({ mechanism: "SCRAM-SHA-256", password: "pencil" });
    expect(random.clientFirstMessage()).toMatch(/^n,,n=,r=[A-Za-z0-9+/]{24}$/);
  });
});

describe("chooseScramMechanism", () => {
  const both = ["SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"];
  const cases: Array<[string[], boolean, ScramMechanism]> = [
    [both, true, "SCRAM-SHA-256-PLUS"],
    [both, false, "SCRAM-SHA-256"],
    [["SCRAM-SHA-256"], true, "SCRAM-SHA-256"],
    [["SCRAM-SHA-256"], false, "SCRAM-SHA-256"],
    [["SCRAM-SHA-256-PLUS"], true, "SCRAM-SHA-256-PLUS"],
  ];
  it.each(cases)("%j with channel binding %s → %s", (offered, available, expected) => {
    expect(chooseScramMechanism(offered, available)).toBe(expected);
  });

  it("names what the server offered when nothing fits", () => {
    expect(() => chooseScramMechanism(["SCRAM-SHA-1", "OAUTHBEARER"], true)).toThrow(
      /server offered SCRAM-SHA-1, OAUTHBEARER/,
    );
    expect(() => chooseScramMechanism([], false)).toThrow(InterfaceError);
    expect(() => chooseScramMechanism(["SCRAM-SHA-256-PLUS"], false)).toThrow(/channel binding/);
  });
});
