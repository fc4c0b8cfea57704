// Startup and authentication. PostgreSQL docs: Frontend/Backend Protocol, "Start-up" and
// "SASL Authentication".

import type { Codec } from "../codec/index.js";
import { errorForFields, InterfaceError } from "../errors.js";
import { Backend, BodyReader, readFields } from "../protocol/messages.js";
import * as msg from "../protocol/serializer.js";
import { chooseScramMechanism, md5PasswordMessage, ScramClient, tlsServerEndPointHash } from "./auth/index.js";
import type { ResolvedOptions } from "./options.js";
import { Request, type TransactionStatus } from "./request.js";

/** What the startup exchange needs from the connection. */
export interface StartupHost {
  user: string;
  password: () => Promise<string | undefined>;
  /** DER of the server's TLS certificate when on TLS, for SCRAM channel binding. */
  serverCertificate: () => Uint8Array | null;
  send(build: (w: msg.MessageWriter) => void): void;
  backendKey(processId: number, secretKey: number): void;
}

/**
 * The startup packet's parameters: only what the driver needs, because poolers such as PgBouncer
 * refuse the whole connection for a parameter they do not track (08P01 "unsupported startup
 * parameter"). client_encoding and DateStyle are on PgBouncer's list; extra_float_digits is not.
 */
export function startupParameters(o: ResolvedOptions): Record<string, string> {
  const params: Record<string, string> = { user: o.user };
  if (o.database) params.database = o.database;
  if (o.application_name) params.application_name = o.application_name;
  if (o.replication) params.replication = o.replication;
  // The codec and decoders read UTF-8 and ISO dates; set them so no server default can differ.
  params.client_encoding = "UTF8";
  params.DateStyle = "ISO";
  return Object.assign(params, o.startup_params);
}

/**
 * SQL to run once the session is up, or null. PostgreSQL 12 and later print floats exactly at
 * the default extra_float_digits (1); older servers round to 15 digits unless it is 3.
 */
export function sessionSetupSql(o: ResolvedOptions, parameterStatuses: Record<string, string>): string | null {
  if (o.startup_params && "extra_float_digits" in o.startup_params) return null; // the user chose
  if (o.replication && o.replication !== "database") return null; // physical replication takes no SQL
  const major = Number.parseInt(parameterStatuses.server_version ?? "", 10);
  return major < 12 ? "SET extra_float_digits = 3" : null;
}

const UNSUPPORTED_AUTH: Record<number, string> = {
  2: "Kerberos V5",
  6: "SCM credentials",
  7: "GSSAPI",
  8: "GSSAPI (continue)",
  9: "SSPI",
};

const enum Auth {
  Ok = 0,
  Cleartext = 3,
  MD5 = 5,
  SASL = 10,
  SASLContinue = 11,
  SASLFinal = 12,
}

export class StartupRequest extends Request<void> {
  private scram: ScramClient | null = null;
  /** Set once the server proved it knows the password (SCRAM server signature checked). */
  private scramVerified = false;

  constructor(private readonly host: StartupHost) {
    super();
  }

  async handle(type: number, offset: number, length: number, _i: number, codec: Codec): Promise<void> {
    const r = new BodyReader(codec.bytes, offset, length);
    switch (type) {
      case Backend.Authentication:
        return this.authenticate(r);
      case Backend.BackendKeyData:
        this.host.backendKey(r.int32(), r.int32());
        return;
      case Backend.ErrorResponse:
        this.noteError(errorForFields(readFields(r)));
        return;
      case Backend.NegotiateProtocolVersion:
        // The server speaks an older minor version and lists options it did not recognise; v3.0
        // without protocol options is all we use, so continuing is safe.
        return;
      default:
        throw new InterfaceError(`unexpected message type '${String.fromCharCode(type)}' during startup`);
    }
  }

  private async authenticate(r: BodyReader): Promise<void> {
    const code = r.int32();
    switch (code) {
      case Auth.Ok:
        // Without this a fake server could skip SASLFinal and never prove it knows the password.
        if (this.scram && !this.scramVerified) {
          throw new InterfaceError(
            "the server reported authentication success before completing SCRAM; refusing to continue",
          );
        }
        return;
      case Auth.Cleartext: {
        const password = await this.requirePassword("password");
        this.host.send((w) => msg.password(w, password));
        return;
      }
      case Auth.MD5: {
        const salt = r.bytesOf(4);
        const password = await this.requirePassword("MD5 password");
        const answer = await md5PasswordMessage(this.host.user, password, salt);
        this.host.send((w) => msg.password(w, answer));
        return;
      }
      case Auth.SASL: {
        const mechanisms: string[] = [];
        for (let m = r.cstring(); m !== ""; m = r.cstring()) mechanisms.push(m);
        const password = await this.requirePassword("SASL (SCRAM)");
        const cert = this.host.serverCertificate();
        let mechanism = chooseScramMechanism(mechanisms, cert !== null);
        let channelBinding: Uint8Array | null = null;
        let tlsAvailable = cert !== null;
        if (mechanism === "SCRAM-SHA-256-PLUS" && cert) {
          try {
            channelBinding = await tlsServerEndPointHash(cert);
          } catch (err) {
            // e.g. an Ed25519 certificate: RFC 5929 defines no hash for it. Plain SCRAM still
            // authenticates; "n" (not "y") because the server does support binding.
            if (!mechanisms.includes("SCRAM-SHA-256")) throw err;
            mechanism = "SCRAM-SHA-256";
            tlsAvailable = false;
          }
        }
        this.scram = new ScramClient({ mechanism, password, channelBinding, tlsAvailable });
        const first = this.scram.clientFirstMessage();
        this.host.send((w) => msg.saslInitialResponse(w, mechanism, first));
        return;
      }
      case Auth.SASLContinue: {
        if (!this.scram) throw new InterfaceError("server sent SASLContinue before SASL started");
        const serverFirst = new TextDecoder().decode(r.rest());
        const final = await this.scram.clientFinalMessage(serverFirst);
        this.host.send((w) => msg.saslResponse(w, final));
        return;
      }
      case Auth.SASLFinal: {
        if (!this.scram) throw new InterfaceError("server sent SASLFinal before SASL started");
        await this.scram.verifyServerFinal(new TextDecoder().decode(r.rest()));
        this.scramVerified = true;
        return;
      }
      default: {
        const name = UNSUPPORTED_AUTH[code];
        throw new InterfaceError(
          name
            ? `the server requires ${name} authentication (request code ${code}), which this driver does not support; ` +
                "configure the server (pg_hba.conf) to use scram-sha-256, md5, password or trust for this user"
            : `the server requested an unknown authentication method (code ${code})`,
        );
      }
    }
  }

  private async requirePassword(method: string): Promise<string> {
    const password = await this.host.password();
    if (password === undefined || password === null) {
      throw new InterfaceError(
        `the server requests ${method} authentication for user '${this.host.user}', but no password was given`,
      );
    }
    if (typeof password !== "string") throw new InterfaceError("the password function must return a string");
    return password;
  }

  complete(_status: TransactionStatus): void {
    if (this.error) this.reject(this.error);
    else this.resolve();
  }
}
