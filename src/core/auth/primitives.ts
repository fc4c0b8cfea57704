// Hashing, HMAC, PBKDF2 and randomness for SCRAM and channel binding.
//
// PBKDF2 runs thousands of HMAC rounds: WebCrypto's native implementation does it, off the main
// thread. The handful of single hashes and HMACs around it (four HMACs and a digest per SCRAM
// login, a digest of the certificate for channel binding) are computed by @noble/hashes in
// JavaScript: tens of microseconds each, where a WebCrypto call is an asynchronous job (in Node a
// thread-pool round trip; an HMAC is two, importKey and sign) costing ~80 µs of CPU. Browsers hide
// crypto.subtle on pages that are not a secure context (plain http:// other than localhost);
// there @noble/hashes does PBKDF2 too. It is imported on first use (a separate chunk in bundles).

import { InterfaceError } from "../../errors.js";

export type HashName = "SHA-224" | "SHA-256" | "SHA-384" | "SHA-512";

type Sha256 = typeof import("@noble/hashes/sha2.js").sha256;
interface Noble {
  hash: Record<HashName, (data: Uint8Array) => Uint8Array>;
  sha256: Sha256;
  hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array;
}

let noble: Promise<Noble> | undefined;

/** @noble/hashes' SHA-2 family and HMAC, imported once (a failed import is tried again next time). */
function nobleHashes(): Promise<Noble> {
  const loading = (noble ??= Promise.all([import("@noble/hashes/sha2.js"), import("@noble/hashes/hmac.js")]).then(
    ([{ sha224, sha256, sha384, sha512 }, { hmac }]) => ({
      hash: { "SHA-224": sha224, "SHA-256": sha256, "SHA-384": sha384, "SHA-512": sha512 },
      sha256,
      hmacSha256: (key: Uint8Array, data: Uint8Array) => hmac(sha256, key, data),
    }),
    (err: unknown) => {
      noble = undefined;
      throw err;
    },
  ));
  return loading;
}

function subtle(): SubtleCrypto | undefined {
  return globalThis.crypto?.subtle;
}

// lib.dom's BufferSource wants an ArrayBuffer-backed view; a copy satisfies it for any input.
function bufferSource(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

export async function digest(hash: HashName, data: Uint8Array): Promise<Uint8Array> {
  return (await nobleHashes()).hash[hash](data);
}

export async function hmacSha256(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  return (await nobleHashes()).hmacSha256(key, data);
}

/** PBKDF2-HMAC-SHA-256 with a 32-byte output: SCRAM's Hi() function for SHA-256. */
export async function pbkdf2Sha256(password: Uint8Array, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const webCrypto = subtle();
  if (!webCrypto) {
    const [{ pbkdf2Async }, { sha256 }] = await Promise.all([import("@noble/hashes/pbkdf2.js"), nobleHashes()]);
    return pbkdf2Async(sha256, password, salt, { c: iterations, dkLen: 32 });
  }
  const key = await webCrypto.importKey("raw", bufferSource(password), "PBKDF2", false, ["deriveBits"]);
  const bits = await webCrypto.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt: bufferSource(salt), iterations },
    key,
    256,
  );
  return new Uint8Array(bits);
}

export function randomBytes(length: number): Uint8Array {
  const cryptoApi = globalThis.crypto;
  if (typeof cryptoApi?.getRandomValues !== "function") {
    throw new InterfaceError("no cryptographically secure random source (crypto.getRandomValues)");
  }
  return cryptoApi.getRandomValues(new Uint8Array(length));
}
