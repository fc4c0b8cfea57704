// Startup and authentication. PostgreSQL docs: Frontend/Backend Protocol, "Start-up" and
// "SASL Authentication".

import type { Codec } from "../codec/index.js";
import { errorForFields, InterfaceError } from "../errors.js";
import {
  type AuthenticationRequest,
  Backend,
  readAuthentication,
  readBackendKeyData,
  readFields,
} from "../protocol/messages.js";
import * as msg from "../protocol/serializer.js";
import {
  type AuthMethod,
  AuthPolicy,
  chooseScramMechanism,
  md5PasswordMessage,
  ScramClient,
  tlsServerEndPointHash,
} from "./auth/index.js";
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
  /** require_auth and channel_binding; unrestricted when left out. */
  policy?: AuthPolicy;
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

const UNRESTRICTED = AuthPolicy.parse(undefined, undefined);

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
  /** The method the server asked for; "none" until it asks. */
  private method: AuthMethod = "none";
  private readonly policy: AuthPolicy;

  constructor(private readonly host: StartupHost) {
    super();
    this.policy = host.policy ?? UNRESTRICTED;
  }

  async handle(type: number, offset: number, length: number, _i: number, codec: Codec): Promise<void> {
    switch (type) {
      case Backend.Authentication:
        return this.authenticate(readAuthentication(codec.bytes, offset, length));
      case Backend.BackendKeyData: {
        const key = readBackendKeyData(codec.bytes, offset, length);
        this.host.backendKey(key.processId, key.secretKey);
        return;
      }
      case Backend.ErrorResponse:
        this.noteError(errorForFields(readFields(codec.bytes, offset, length)));
        return;
      case Backend.NegotiateProtocolVersion:
        // The server speaks an older minor version and lists options it did not recognise; v3.0
        // without protocol options is all we use, so continuing is safe.
        return;
      default:
        throw new InterfaceError(`unexpected message type '${String.fromCharCode(type)}' during startup`);
    }
  }

  private async authenticate(request: AuthenticationRequest): Promise<void> {
    const code = request.code;
    switch (code) {
      case Auth.Ok:
        // Without this a fake server could skip SASLFinal and never prove it knows the password.
        if (this.scram && !this.scramVerified) {
          throw new InterfaceError(
            "the server reported authentication success before completing SCRAM; refusing to continue",
          );
        }
        this.policy.checkCompleted(this.method, this.scram?.mechanism === "SCRAM-SHA-256-PLUS");
        return;
      case Auth.Cleartext: {
        this.asked("password");
        const password = await this.requirePassword("password");
        this.host.send((w) => msg.password(w, password));
        return;
      }
      case Auth.MD5: {
        this.asked("md5");
        const salt = request.salt;
        const password = await this.requirePassword("MD5 password");
        const answer = await md5PasswordMessage(this.host.user, password, salt);
        this.host.send((w) => msg.password(w, answer));
        return;
      }
      case Auth.SASL: {
        const mechanisms = request.mechanisms;
        this.asked("scram-sha-256");
        if (this.scram) throw new InterfaceError("the server started SASL authentication twice");
        const binding = this.policy.channelBinding;
        // disable: act as if there were no TLS to bind to, so the gs2 flag is "n", as libpq does.
        const cert = binding === "disable" ? null : this.host.serverCertificate();
        if (binding === "require") {
          if (cert === null) {
            throw new InterfaceError(
              "channel binding required, but this connection has no TLS server certificate to bind to; use sslmode=require or stronger",
            );
          }
          if (!mechanisms.includes("SCRAM-SHA-256-PLUS")) {
            throw new InterfaceError(
              "channel binding required, but the server does not offer SCRAM-SHA-256-PLUS; refusing to authenticate without it",
            );
          }
        }
        const password = await this.requirePassword("SASL (SCRAM)");
        let mechanism = chooseScramMechanism(mechanisms, cert !== null);
        let channelBinding: Uint8Array | null = null;
        let tlsAvailable = cert !== null;
        if (mechanism === "SCRAM-SHA-256-PLUS" && cert) {
          try {
            channelBinding = await tlsServerEndPointHash(cert);
          } catch (err) {
            // e.g. an Ed25519 certificate: RFC 5929 defines no hash for it. Plain SCRAM still
            // authenticates; "n" (not "y") because the server does support binding.
            if (!mechanisms.includes("SCRAM-SHA-256") || binding === "require") throw err;
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
        const serverFirst = new TextDecoder().decode(request.data);
        const final = await this.scram.clientFinalMessage(serverFirst);
        this.host.send((w) => msg.saslResponse(w, final));
        return;
      }
      case Auth.SASLFinal: {
        if (!this.scram) throw new InterfaceError("server sent SASLFinal before SASL started");
        await this.scram.verifyServerFinal(new TextDecoder().decode(request.data));
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

  /** The server asked for `method`: refused here, before any password is looked up or sent. */
  private asked(method: Exclude<AuthMethod, "none">): void {
    this.policy.checkRequest(method);
    this.method = method;
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
