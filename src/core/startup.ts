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
import { chooseScramMechanism, md5PasswordMessage, ScramClient, tlsServerEndPointHash } from "./auth/index.js";
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
        return;
      case Auth.Cleartext: {
        const password = await this.requirePassword("password");
        this.host.send((w) => msg.password(w, password));
        return;
      }
      case Auth.MD5: {
        const salt = request.salt;
        const password = await this.requirePassword("MD5 password");
        this.host.send((w) => msg.password(w, md5PasswordMessage(this.host.user, password, salt)));
        return;
      }
      case Auth.SASL: {
        const mechanisms = request.mechanisms;
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
