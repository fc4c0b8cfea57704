// The crypto primitives under SCRAM, for both backends (node:crypto where the runtime has it,
// WebCrypto + @noble/hashes in browsers), on published test vectors; and the per-process cache of
// SCRAM's SaltedPassword.

import * as nodeCrypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { type CryptoBackend, cryptoBackend, nodeBackend, webBackend } from "../../src/core/auth/primitives.js";
import { SALTED_PASSWORD_CACHE_SIZE, saltedPasswordFor } from "../../src/core/auth/scram.js";

const text = (s: string) => new TextEncoder().encode(s);
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

const backends: CryptoBackend[] = [webBackend, nodeBackend(nodeCrypto)];

describe.each(backends.map((b) => [b.name, b] as const))("crypto backend %s", (_, backend) => {
  it("SHA-256 and SHA-512 of 'abc' (FIPS 180-2 examples)", async () => {
    expect(hex(await backend.digest("SHA-256", text("abc")))).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    expect(hex(await backend.digest("SHA-512", text("abc")))).toBe(
      "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a" +
        "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
    );
  });

  it("HMAC-SHA-256 (RFC 4231 test case 2)", async () => {
    expect(hex(await backend.hmacSha256(text("Jefe"), text("what do ya want for nothing?")))).toBe(
      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    );
  });

  it("PBKDF2-HMAC-SHA-256, 1 and 4,096 iterations (RFC 7914 §11 style vectors)", async () => {
    expect(hex(await backend.pbkdf2Sha256(text("password"), text("salt"), 1))).toBe(
      "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b",
    );
    expect(hex(await backend.pbkdf2Sha256(text("password"), text("salt"), 4096))).toBe(
      "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a",
    );
  });
});

describe("crypto backend in use", () => {
  it("is node:crypto under Node", () => {
    expect(cryptoBackend.name).toBe("node:crypto");
  });
});

describe("saltedPasswordFor: SCRAM's SaltedPassword once per (password, salt, iterations)", () => {
  const salt = text("a salt for caching");

  it("gives Hi(password, salt, i) and hands the same computation to a second login", async () => {
    const first = saltedPasswordFor("pencil", salt, 4096);
    const second = saltedPasswordFor("pencil", salt, 4096);
    expect(second).toBe(first);
    expect(hex(await first)).toBe(nodeCrypto.pbkdf2Sync("pencil", salt, 4096, 32, "sha256").toString("hex"));
  });

  it("computes again for another password, salt or iteration count", async () => {
    const base = saltedPasswordFor("pencil", salt, 4096);
    expect(saltedPasswordFor("pencil2", salt, 4096)).not.toBe(base);
    expect(saltedPasswordFor("pencil", text("another salt"), 4096)).not.toBe(base);
    expect(saltedPasswordFor("pencil", salt, 4097)).not.toBe(base);
    expect(hex(await saltedPasswordFor("pencil", salt, 4097))).toBe(
      nodeCrypto.pbkdf2Sync("pencil", salt, 4097, 32, "sha256").toString("hex"),
    );
  });

  it(`keeps the ${SALTED_PASSWORD_CACHE_SIZE} most recently used`, async () => {
    const kept = saltedPasswordFor("kept", salt, 2);
    const dropped = saltedPasswordFor("dropped", salt, 2);
    for (let i = 0; i < SALTED_PASSWORD_CACHE_SIZE - 2; i++) saltedPasswordFor(`filler ${i}`, salt, 2);
    expect(saltedPasswordFor("kept", salt, 2)).toBe(kept); // used again: now the most recent
    saltedPasswordFor("one more", salt, 2); // the 17th: the least recently used ("dropped") goes
    expect(saltedPasswordFor("kept", salt, 2)).toBe(kept);
    expect(saltedPasswordFor("dropped", salt, 2)).not.toBe(dropped);
    expect(hex(await saltedPasswordFor("dropped", salt, 2))).toBe(hex(await dropped));
  });
});
