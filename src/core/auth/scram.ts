// SCRAM-SHA-256 and SCRAM-SHA-256-PLUS client side (RFC 5802 with SHA-256 from RFC 7677, channel
// binding type tls-server-end-point from RFC 5929), following PostgreSQL's conventions (docs,
// "SASL Authentication"): the user name in the messages is empty because the server takes it from
// the startup packet, and the password goes through SASLprep with a fallback to the raw password.
// Pure message construction and checking; the caller moves the messages over the wire.

import { InterfaceError } from "../../errors.js";
import { base64Decode, base64Encode, bytesEqual, concatBytes, utf8, xorBytes } from "./bytes.js";
import { digest, hmacSha256, pbkdf2Sha256, randomBytes } from "./primitives.js";
import { saslprepOrRaw } from "./saslprep.js";

export { tlsServerEndPointHash } from "./channel-binding.js";

export const SCRAM_SHA_256 = "SCRAM-SHA-256";
export const SCRAM_SHA_256_PLUS = "SCRAM-SHA-256-PLUS";
export type ScramMechanism = typeof SCRAM_SHA_256 | typeof SCRAM_SHA_256_PLUS;

/**
 * Picks the mechanism to answer AuthenticationSASL with: the channel-bound variant when the server
 * offers it and we hold channel binding data (TLS with a usable server certificate), otherwise
 * plain SCRAM-SHA-256.
 */
export function chooseScramMechanism(
  serverMechanisms: readonly string[],
  channelBindingAvailable: boolean,
): ScramMechanism {
  if (channelBindingAvailable && serverMechanisms.includes(SCRAM_SHA_256_PLUS)) return SCRAM_SHA_256_PLUS;
  if (serverMechanisms.includes(SCRAM_SHA_256)) return SCRAM_SHA_256;
  const offered = serverMechanisms.length > 0 ? serverMechanisms.join(", ") : "none";
  const why = serverMechanisms.includes(SCRAM_SHA_256_PLUS)
    ? "; SCRAM-SHA-256-PLUS needs channel binding data from a TLS connection, which is not available"
    : "";
  throw new InterfaceError(`no supported SASL authentication mechanism: the server offered ${offered}${why}`);
}

export interface ScramClientOptions {
  mechanism: ScramMechanism;
  password: string;
  /** tls-server-end-point data (see tlsServerEndPointHash); required for SCRAM-SHA-256-PLUS. */
  channelBinding?: Uint8Array | null;
  /**
   * Whether the connection uses TLS, so the client could bind to it (default: whether
   * channelBinding was given). With plain SCRAM-SHA-256 this sends the gs2 flag "y", "I support
   * channel binding but the server does not", as libpq does; PostgreSQL rejects that as a downgrade
   * if it did offer PLUS, so pick the mechanism with chooseScramMechanism. Pass false when channel
   * binding is disabled by configuration.
   */
  tlsAvailable?: boolean;
  /** Sent as n=; PostgreSQL ignores it in favour of the startup packet's user, hence "" by default. */
  username?: string;
  /** Fixed client nonce, for tests only; otherwise 18 random bytes in base64, like libpq. */
  clientNonce?: string;
}

const CHANNEL_BINDING_TYPE = "tls-server-end-point";
// Printable ASCII except "," (SCRAM's "printable" rule), the character set of nonces.
const PRINTABLE = /^[\x21-\x2b\x2d-\x7e]+$/;
/**
 * The most PBKDF2 iterations a server may ask for. PostgreSQL's default is 4096 and its
 * scram_iterations setting goes up to 2^31-1: a hostile (or impostor) server asking for billions
 * would keep the client computing for hours before it can prove anything. 1,000,000 is 244 times
 * the default and above OWASP's 600,000 for PBKDF2-HMAC-SHA256, about a second of CPU.
 */
export const MAX_SCRAM_ITERATIONS = 1_000_000;

/** How many SaltedPassword values saltedPasswordFor() keeps. */
export const SALTED_PASSWORD_CACHE_SIZE = 16;
const saltedPasswords = new Map<string, Promise<Uint8Array>>();

/**
 * SaltedPassword = Hi(password, salt, iterations), computed once per process for each
 * (password, salt, iterations), as MongoDB's SCRAM specification requires of its drivers. It is a
 * pure function of those three, and the costliest step of a login (4,096 HMAC rounds by default,
 * ~0.8 ms of CPU), waited for between two messages of the exchange: a process that logs in again
 * and again (short-lived connections, a pool replacing connections, ten connections opened at
 * once) pays it once. The server's salt and count are per user and stay the same until the
 * password is changed, which makes a new salt. What is kept is worth no more than the password
 * it comes from, which the caller's options hold already; at most SALTED_PASSWORD_CACHE_SIZE
 * entries, the least recently used dropped first; a failed computation is not kept.
 */
export function saltedPasswordFor(password: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = `${iterations}:${base64Encode(salt)}:${password}`;
  let salted = saltedPasswords.get(key);
  if (salted)
    saltedPasswords.delete(key); // re-inserted below: most recently used last
  else {
    const computing = pbkdf2Sha256(utf8(password), salt, iterations);
    computing.catch(() => {
      if (saltedPasswords.get(key) === computing) saltedPasswords.delete(key);
    });
    salted = computing;
  }
  saltedPasswords.set(key, salted);
  if (saltedPasswords.size > SALTED_PASSWORD_CACHE_SIZE) saltedPasswords.delete(saltedPasswords.keys().next().value!);
  return salted;
}

type Step = "initial" | "first-sent" | "final-sent" | "done" | "failed";

/**
 * One SCRAM exchange: clientFirstMessage() → clientFinalMessage(server-first) →
 * verifyServerFinal(server-final). Each step may be used once and in this order. The caller must
 * not treat the login as successful unless verifyServerFinal() resolved: that is what proves the
 * server knew the password (or its SCRAM secret) rather than being an impostor.
 */
export class ScramClient {
  readonly mechanism: ScramMechanism;
  #password: string;
  #channelBinding: Uint8Array;
  #gs2Header: string;
  #clientNonce: string;
  #clientFirstBare: string;
  #expectedServerSignature: Uint8Array | undefined;
  #step: Step = "initial";

  constructor(options: ScramClientOptions) {
    const { mechanism, password, channelBinding, username = "", clientNonce } = options;
    const canBind = options.tlsAvailable ?? (channelBinding != null && channelBinding.length > 0);
    if (mechanism !== SCRAM_SHA_256 && mechanism !== SCRAM_SHA_256_PLUS) {
      throw new InterfaceError(`unsupported SCRAM mechanism ${String(mechanism)}`);
    }
    this.mechanism = mechanism;
    this.#password = saslprepOrRaw(password);

    // gs2 header (RFC 5802 §7): "p=<type>" when binding, "y" when we could bind but the server
    // did not offer it (lets the server detect a downgrade), "n" when we cannot bind at all.
    if (mechanism === SCRAM_SHA_256_PLUS) {
      if (!channelBinding || channelBinding.length === 0) {
        throw new InterfaceError("SCRAM-SHA-256-PLUS requires channel binding data from the TLS connection");
      }
      this.#gs2Header = `p=${CHANNEL_BINDING_TYPE},,`;
      this.#channelBinding = channelBinding;
    } else {
      this.#gs2Header = canBind ? "y,," : "n,,";
      this.#channelBinding = new Uint8Array(0);
    }

    if (clientNonce !== undefined && !PRINTABLE.test(clientNonce)) {
      throw new InterfaceError("SCRAM client nonce must be printable ASCII without commas");
    }
    this.#clientNonce = clientNonce ?? base64Encode(randomBytes(18));
    this.#clientFirstBare = `n=${escapeSaslName(saslprepOrRaw(username))},r=${this.#clientNonce}`;
  }

  /** The SASLInitialResponse payload. */
  clientFirstMessage(): string {
    this.#advance("initial", "first-sent", "clientFirstMessage");
    return this.#gs2Header + this.#clientFirstBare;
  }

  /** Checks the server-first-message (AuthenticationSASLContinue) and returns the SASLResponse payload. */
  async clientFinalMessage(serverFirst: string): Promise<string> {
    this.#advance("first-sent", "final-sent", "clientFinalMessage");
    try {
      return await this.#buildClientFinal(serverFirst);
    } catch (err) {
      this.#step = "failed"; // no server signature to check against
      throw err;
    }
  }

  async #buildClientFinal(serverFirst: string): Promise<string> {
    const { nonce, salt, iterations } = parseServerFirst(serverFirst, this.#clientNonce);

    const channelBindingInput = concatBytes(utf8(this.#gs2Header), this.#channelBinding);
    const finalWithoutProof = `c=${base64Encode(channelBindingInput)},r=${nonce}`;
    const authMessage = utf8(`${this.#clientFirstBare},${serverFirst},${finalWithoutProof}`);

    const saltedPassword = await saltedPasswordFor(this.#password, salt, iterations);
    const clientKey = await hmacSha256(saltedPassword, utf8("Client Key"));
    const storedKey = await digest("SHA-256", clientKey);
    const clientSignature = await hmacSha256(storedKey, authMessage);
    const serverKey = await hmacSha256(saltedPassword, utf8("Server Key"));
    this.#expectedServerSignature = await hmacSha256(serverKey, authMessage);

    const clientProof = xorBytes(clientKey, clientSignature);
    return `${finalWithoutProof},p=${base64Encode(clientProof)}`;
  }

  /** Checks the server-final-message (AuthenticationSASLFinal); rejects unless the server proved itself. */
  async verifyServerFinal(serverFinal: string): Promise<void> {
    this.#advance("final-sent", "done", "verifyServerFinal");
    const [first] = parseAttributes(serverFinal, "server-final-message");
    const [name, value] = first!;
    if (name === "e") {
      throw new InterfaceError(`SCRAM authentication failed: the server reported "${value}"`);
    }
    if (name !== "v") throw invalidMessage("server-final-message", "expected v= or e=");
    const signature = base64Decode(value);
    if (!signature) throw invalidMessage("server-final-message", "server signature is not valid base64");
    if (!bytesEqual(signature, this.#expectedServerSignature!)) {
      throw new InterfaceError(
        "SCRAM server signature mismatch: the server did not prove that it knows the password, " +
          "so it may not be the server it claims to be",
      );
    }
  }

  #advance(expected: Step, next: Step, method: string): void {
    if (this.#step !== expected) {
      throw new InterfaceError(`ScramClient.${method}() called out of order (exchange step: ${this.#step})`);
    }
    this.#step = next;
  }
}

interface ServerFirst {
  nonce: string;
  salt: Uint8Array;
  iterations: number;
}

function parseServerFirst(message: string, clientNonce: string): ServerFirst {
  const context = "server-first-message";
  const attributes = parseAttributes(message, context);
  const [firstName, firstValue] = attributes[0]!;
  // Not in the grammar for this message, but a server error is more useful reported as such.
  if (firstName === "e") {
    throw new InterfaceError(`SCRAM authentication failed: the server reported "${firstValue}"`);
  }
  if (firstName === "m") throw invalidMessage(context, "the server requires an unsupported SCRAM extension");
  if (attributes.length < 3) throw invalidMessage(context, "expected r=, s= and i=");
  const [[rName, nonce], [sName, saltText], [iName, iterationText]] = attributes as [
    [string, string],
    [string, string],
    [string, string],
  ];
  if (rName !== "r" || sName !== "s" || iName !== "i") {
    throw invalidMessage(context, "expected r=, s= and i= in that order");
  }

  if (!PRINTABLE.test(nonce)) throw invalidMessage(context, "nonce contains invalid characters");
  if (!nonce.startsWith(clientNonce) || nonce.length === clientNonce.length) {
    throw invalidMessage(context, "the server nonce does not extend the client nonce");
  }
  const salt = base64Decode(saltText);
  if (!salt) throw invalidMessage(context, "salt is not valid base64");
  if (salt.length === 0) throw invalidMessage(context, "salt is empty");
  const iterations = /^[1-9][0-9]*$/.test(iterationText) ? Number(iterationText) : NaN;
  if (Number.isNaN(iterations)) throw invalidMessage(context, "iteration count is not a positive integer");
  if (iterations > MAX_SCRAM_ITERATIONS) {
    throw new InterfaceError(
      `the server asks for ${iterationText} SCRAM iterations, more than this driver's limit of ` +
        `${MAX_SCRAM_ITERATIONS.toLocaleString("en-US")}; refusing to authenticate (a hostile server can use a huge ` +
        "count to tie up the client's CPU). If the server is yours, lower its scram_iterations and reset the password",
    );
  }
  return { nonce, salt, iterations };
}

/** Splits "a=1,b=2" into [name, value] pairs; every SCRAM attribute name is one letter. */
function parseAttributes(message: string, context: string): Array<[string, string]> {
  return message.split(",").map((part) => {
    const match = /^([A-Za-z])=(.*)$/s.exec(part);
    if (!match) throw invalidMessage(context, "malformed attribute");
    return [match[1]!, match[2]!];
  });
}

function invalidMessage(context: string, detail: string): InterfaceError {
  return new InterfaceError(`invalid SCRAM ${context}: ${detail}`);
}

/** A user name as "saslname": '=' and ',' are the only characters escaped. */
function escapeSaslName(name: string): string {
  return name.replace(/=/g, "=3D").replace(/,/g, "=2C");
}
