// Hashing, HMAC, PBKDF2 and randomness for SCRAM and channel binding.
//
// PBKDF2 runs thousands of HMAC rounds, so it goes to WebCrypto where there is one (native, off the
// main thread). Browsers hide crypto.subtle on pages that are not a secure context (plain http://
// other than localhost), so @noble/hashes stands in there. The single hashes and HMACs of a SCRAM
// exchange run on a few hundred bytes: @noble/hashes does each in microseconds on the spot, where
// every WebCrypto call is a trip to a worker thread and back (five of them per login, measured
// ~0.4 ms of CPU per connect and more in wall time on a busy machine). WebCrypto lacks SHA-224.

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
  return NOBLE_HASHES[hash](data);
}

export async function hmacSha256(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  return hmac(sha256, key, data);
}

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
