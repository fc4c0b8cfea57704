// tls-server-end-point hashes of certificates made by the openssl CLI, compared with node:crypto
// hashes of the DER that `openssl x509 -outform der` prints.

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tlsServerEndPointHash } from "../../src/core/auth/index.js";
import { InterfaceError } from "../../src/errors.js";

function hasOpenssl(): boolean {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!hasOpenssl())("tlsServerEndPointHash", () => {
  let dir: string;
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });

  /** A self-signed certificate as DER, from `openssl req -x509` with the given key and options. */
  function certificate(name: string, keyArgs: string[], signArgs: string[]): Uint8Array {
    const subject = ["-subj", `/CN=${name}`, "-days", "1"];
    openssl("req", "-x509", ...keyArgs, ...signArgs, ...subject, "-out", `${name}.pem`);
    return Uint8Array.from(openssl("x509", "-in", `${name}.pem`, "-outform", "der"));
  }

  const rsaKey = ["-key", "rsa.key"];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "pg8000-cb-"));
    openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "rsa.key");
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const nodeHash = (algorithm: string, der: Uint8Array) => Uint8Array.from(createHash(algorithm).update(der).digest());
  const ecKey = (curve: string) => [
    "-newkey",
    "ec",
    "-pkeyopt",
    `ec_paramgen_curve:${curve}`,
    "-nodes",
    "-keyout",
    `${curve}.key`,
  ];
  const pss = ["-sigopt", "rsa_padding_mode:pss"];

  it.each([
    { signature: "sha256WithRSAEncryption", key: rsaKey, sign: ["-sha256"], hash: "sha256" },
    { signature: "sha384WithRSAEncryption", key: rsaKey, sign: ["-sha384"], hash: "sha384" },
    { signature: "sha512WithRSAEncryption", key: rsaKey, sign: ["-sha512"], hash: "sha512" },
    { signature: "sha224WithRSAEncryption", key: rsaKey, sign: ["-sha224"], hash: "sha224" },
    { signature: "sha1WithRSAEncryption", key: rsaKey, sign: ["-sha1"], hash: "sha256" }, // SHA-1 upgraded
    { signature: "ecdsa-with-SHA384 (P-384)", key: ecKey("P-384"), sign: ["-sha384"], hash: "sha384" },
    { signature: "ecdsa-with-SHA256 (P-256)", key: ecKey("P-256"), sign: ["-sha256"], hash: "sha256" },
    { signature: "RSASSA-PSS with SHA-384", key: rsaKey, sign: ["-sha384", ...pss], hash: "sha384" },
    { signature: "RSASSA-PSS with SHA-512", key: rsaKey, sign: ["-sha512", ...pss], hash: "sha512" },
  ])("$signature is hashed with $hash", async ({ signature, key, sign, hash }) => {
    const der = certificate(signature.replace(/\W+/g, "_"), key, sign);
    expect(await tlsServerEndPointHash(der)).toEqual(nodeHash(hash, der));
  });

  it("refuses Ed25519 certificates, for which RFC 5929 defines no hash", async () => {
    const der = certificate("ed25519", ["-newkey", "ed25519", "-nodes", "-keyout", "ed.key"], []);
    await expect(tlsServerEndPointHash(der)).rejects.toThrow(InterfaceError);
    await expect(tlsServerEndPointHash(der)).rejects.toThrow(/Ed25519/);
  });

  it("rejects input that is not one DER certificate", async () => {
    const der = certificate("plain", rsaKey, ["-sha256"]);
    const pem = Uint8Array.from(openssl("x509", "-in", "plain.pem"));
    const truncated = der.subarray(0, der.length - 1);
    const trailingByte = Uint8Array.of(...der, 0);
    const indefiniteLength = Uint8Array.of(0x30, 0x80, 0, 0);
    for (const bad of [pem, truncated, trailingByte, new Uint8Array(0), indefiniteLength]) {
      await expect(tlsServerEndPointHash(bad)).rejects.toThrow(InterfaceError);
    }
  });
});
