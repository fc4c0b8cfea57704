// Hashing, HMAC, PBKDF2 and randomness for SCRAM and channel binding.
//
// In Node, Deno and Bun, node:crypto does all of it natively (reached through
// process.getBuiltinModule, so bundles for browsers never see an import of it): an HMAC is a few
// microseconds, and its PBKDF2 runs on the thread pool with less per-call overhead than WebCrypto's
// (~0.8 ms of CPU for PostgreSQL's 4,096 iterations against ~1.0 ms).
//
// Elsewhere (browsers, workers), PBKDF2 runs thousands of HMAC rounds: WebCrypto's native
// implementation does it, off the main thread. The handful of single hashes and HMACs around it
// (four HMACs and a digest per SCRAM login, a digest of the certificate for channel binding) are
// computed by @noble/hashes in JavaScript: tens of microseconds each, where a WebCrypto call is an
// asynchronous job costing more than that. Browsers hide crypto.subtle on pages that are not a
// secure context (plain http:// other than localhost); there @noble/hashes does PBKDF2 too. It is
// imported on first use (a separate chunk in bundles).

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

/** The part of node:crypto used here (typed locally: browser builds type-check without Node's types). */
export interface NodeCrypto {
  createHash(algorithm: string): { update(data: Uint8Array): { digest(): Uint8Array } };
  createHmac(algorithm: string, key: Uint8Array): { update(data: Uint8Array): { digest(): Uint8Array } };
  pbkdf2(
    password: Uint8Array,
    salt: Uint8Array,
    iterations: number,
    keyLength: number,
    digest: string,
    done: (err: Error | null, key: Uint8Array) => void,
  ): void;
}

const NODE_HASH: Record<HashName, string> = {
  "SHA-224": "sha224",
  "SHA-256": "sha256",
  "SHA-384": "sha384",
  "SHA-512": "sha512",
};

/** node:crypto where the runtime has it built in (Node ≥ 20.16, Deno, Bun), otherwise undefined. */
const nodeCrypto = ((): NodeCrypto | undefined => {
  const runtime = (globalThis as { process?: { getBuiltinModule?(id: string): unknown } }).process;
  try {
    return runtime?.getBuiltinModule?.("node:crypto") as NodeCrypto | undefined;
  } catch {
    return undefined;
  }
})();

function subtle(): SubtleCrypto | undefined {
  return globalThis.crypto?.subtle;
}

// lib.dom's BufferSource wants an ArrayBuffer-backed view; a copy satisfies it for any input.
function bufferSource(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}

/** One implementation of the primitives SCRAM and channel binding need. */
export interface CryptoBackend {
  readonly name: "node:crypto" | "WebCrypto + @noble/hashes";
  digest(hash: HashName, data: Uint8Array): Promise<Uint8Array>;
  hmacSha256(key: Uint8Array, data: Uint8Array): Promise<Uint8Array>;
  /** PBKDF2-HMAC-SHA-256 with a 32-byte output: SCRAM's Hi() function for SHA-256. */
  pbkdf2Sha256(password: Uint8Array, salt: Uint8Array, iterations: number): Promise<Uint8Array>;
}

/** Browsers and workers: WebCrypto's PBKDF2 (@noble/hashes' without crypto.subtle), hashes by @noble/hashes. */
export const webBackend: CryptoBackend = {
  name: "WebCrypto + @noble/hashes",
  async digest(hash, data) {
    return (await nobleHashes()).hash[hash](data);
  },
  async hmacSha256(key, data) {
    return (await nobleHashes()).hmacSha256(key, data);
  },
  async pbkdf2Sha256(password, salt, iterations) {
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
  },
};

/** A Buffer's bytes as a plain Uint8Array (the same memory), as the other backend returns. */
function plain(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Node, Deno and Bun: everything from node:crypto. */
export function nodeBackend(crypto: NodeCrypto): CryptoBackend {
  return {
    name: "node:crypto",
    async digest(hash, data) {
      return plain(crypto.createHash(NODE_HASH[hash]).update(data).digest());
    },
    async hmacSha256(key, data) {
      return plain(crypto.createHmac("sha256", key).update(data).digest());
    },
    pbkdf2Sha256(password, salt, iterations) {
      return new Promise((resolve, reject) =>
        crypto.pbkdf2(password, salt, iterations, 32, "sha256", (err, key) =>
          err ? reject(err) : resolve(plain(key)),
        ),
      );
    },
  };
}

/** The backend this runtime uses. */
export const cryptoBackend: CryptoBackend = nodeCrypto ? nodeBackend(nodeCrypto) : webBackend;

export function digest(hash: HashName, data: Uint8Array): Promise<Uint8Array> {
  return cryptoBackend.digest(hash, data);
}

export function hmacSha256(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  return cryptoBackend.hmacSha256(key, data);
}

/** PBKDF2-HMAC-SHA-256 with a 32-byte output: SCRAM's Hi() function for SHA-256. */
export function pbkdf2Sha256(password: Uint8Array, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  return cryptoBackend.pbkdf2Sha256(password, salt, iterations);
}

export function randomBytes(length: number): Uint8Array {
  const cryptoApi = globalThis.crypto;
  if (typeof cryptoApi?.getRandomValues !== "function") {
    throw new InterfaceError("no cryptographically secure random source (crypto.getRandomValues)");
  }
  return cryptoApi.getRandomValues(new Uint8Array(length));
}
