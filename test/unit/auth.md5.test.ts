// MD5 password authentication, checked against node:crypto (allowed in tests only).

import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { md5PasswordMessage } from "../../src/core/auth/index.js";
import { InterfaceError } from "../../src/errors.js";

function expected(user: string, password: string, salt: Uint8Array): string {
  const inner = createHash("md5")
    .update(Buffer.from(password + user, "utf8"))
    .digest("hex");
  return (
    "md5" +
    createHash("md5")
      .update(Buffer.concat([Buffer.from(inner, "ascii"), salt]))
      .digest("hex")
  );
}

describe("md5PasswordMessage", () => {
  it.each([
    ["postgres", "secret", [0x01, 0x02, 0x03, 0x04]],
    ["alice", "", [0, 0, 0, 0]],
    ["bob", "p@ss,word=", [0xff, 0xfe, 0x80, 0x7f]],
    ["jürgen", "pässwörd€😀", [0xde, 0xad, 0xbe, 0xef]],
    ["用户", "密码", [0x10, 0x20, 0x30, 0x40]],
  ] as const)("user %j, password %j", async (user, password, saltBytes) => {
    const salt = Uint8Array.from(saltBytes);
    const message = await md5PasswordMessage(user, password, salt);
    expect(message).toBe(expected(user, password, salt));
    expect(message).toMatch(/^md5[0-9a-f]{32}$/);
  });

  it("matches a fixed known answer", async () => {
    // pg_authid would store md5 + md5hex("secretpostgres") = md553f48b7c4b76a86ce72276c5755f217d.
    expect(await md5PasswordMessage("postgres", "secret", Uint8Array.of(1, 2, 3, 4))).toBe(
      "md5bb41a296aab6baccb36ff243a562abff",
    );
  });

  it("rejects a salt that is not 4 bytes", async () => {
    await expect(md5PasswordMessage("u", "p", new Uint8Array(3))).rejects.toThrow(InterfaceError);
  });
});
