// Hashing, HMAC, PBKDF2 and randomness for SCRAM and channel binding.
//
// WebCrypto is preferred: PBKDF2 runs thousands of HMAC rounds and the native implementation is far
// faster. Browsers hide crypto.subtle on pages that are not a secure context (plain http:// other
// than localhost), so @noble/hashes stands in there, and for SHA-224, which WebCrypto lacks.

import { hmac } from "@noble/hashes/hmac.js";
import { pbkdf2Async } from "@noble/hashes/pbkdf2.js";
import { sha224, sha256, sha384, sha512 } from "@noble/hashes/sha2.js";
import { InterfaceError } from "../../errors.js";

export type HashName = "SHA-224" | "SHA-256" | "SHA-384" | "SHA-512";

const NOBLE_HASHES = { "SHA-224": sha224, "SHA-256": sha256, "SHA-384": sha384, "SHA-512": sha512 };

function subtle(): SubtleCrypto | undefined {
  return globalThis.crypto?.subtle;
}

// lib.dom's BufferSource wants an ArrayBuffer-backed view; a copy satisfies it for any input.
function bufferSource(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

export async function digest(hash: HashName, data: Uint8Array): Promise<Uint8Array> {
  const webCrypto = subtle();
  if (webCrypto && hash !== "SHA-224") {
    return new Uint8Array(await webCrypto.digest(hash, bufferSource(data)));
  }
  return NOBLE_HASHES[hash](data);
}

export async function hmacSha256(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const webCrypto = subtle();
  if (!webCrypto) return hmac(sha256, key, data);
  const cryptoKey = await webCrypto.importKey("raw", bufferSource(key), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  return new Uint8Array(await webCrypto.sign("HMAC", cryptoKey, bufferSource(data)));
}

/** PBKDF2-HMAC-SHA-256 with a 32-byte output: SCRAM's Hi() function for SHA-256. */
export async function pbkdf2Sha256(password: Uint8Array, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const webCrypto = subtle();
  if (!webCrypto) return pbkdf2Async(sha256, password, salt, { c: iterations, dkLen: 32 });
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
