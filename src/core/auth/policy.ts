// What the client accepts from the server's authentication request: libpq 16's require_auth
// and channel_binding (PostgreSQL docs: libpq, "Parameter Key Words"), so a client can refuse
// a cleartext or MD5 password, a server that skips authentication, or SCRAM without binding.

import { InterfaceError } from "../../errors.js";

/** The authentication methods require_auth names (gss and sspi are never offered by this driver). */
const METHODS = ["password", "md5", "gss", "sspi", "scram-sha-256", "none"] as const;
export type AuthMethod = (typeof METHODS)[number];

export type ChannelBinding = "disable" | "prefer" | "require";

const DESCRIBE: Record<AuthMethod, string> = {
  password: "a cleartext password",
  md5: "an MD5-hashed password",
  gss: "GSSAPI authentication",
  sspi: "SSPI authentication",
  "scram-sha-256": "SCRAM authentication",
  none: "no authentication",
};

export class AuthPolicy {
  private constructor(
    /** The require_auth text as given, for messages; "" when unrestricted. */
    readonly requireAuth: string,
    private readonly allowed: ReadonlySet<AuthMethod>,
    readonly channelBinding: ChannelBinding,
  ) {}

  static parse(requireAuth: string | undefined, channelBinding: string | undefined): AuthPolicy {
    const binding = channelBinding ?? "prefer";
    if (binding !== "disable" && binding !== "prefer" && binding !== "require") {
      throw new InterfaceError(`invalid channel_binding value "${binding}": use disable, prefer or require`);
    }
    if (requireAuth === undefined || requireAuth.trim() === "") {
      return new AuthPolicy("", new Set(METHODS), binding);
    }
    const entries = requireAuth.split(",").map((e) => e.trim());
    const negated = entries.map((e) => e.startsWith("!"));
    if (negated.some((n) => n !== negated[0])) {
      throw new InterfaceError(
        `invalid require_auth value "${requireAuth}": negative and positive methods cannot be mixed`,
      );
    }
    const named = new Set<AuthMethod>();
    for (const entry of entries) {
      const name = negated[0] ? entry.slice(1) : entry;
      if (!(METHODS as readonly string[]).includes(name)) {
        throw new InterfaceError(
          `invalid require_auth method "${name}": use password, md5, gss, sspi, scram-sha-256 or none, ` +
            'optionally each prefixed with "!", separated by commas',
        );
      }
      if (named.has(name as AuthMethod)) {
        throw new InterfaceError(`require_auth method "${name}" is listed more than once`);
      }
      named.add(name as AuthMethod);
    }
    const allowed = negated[0] ? new Set(METHODS.filter((m) => !named.has(m))) : named;
    if (binding === "require" && !allowed.has("scram-sha-256")) {
      throw new InterfaceError(
        `channel_binding=require needs SCRAM authentication, which require_auth="${requireAuth}" does not allow`,
      );
    }
    return new AuthPolicy(requireAuth, allowed, binding);
  }

  private fail(why: string): InterfaceError {
    return new InterfaceError(`authentication method requirement "${this.requireAuth}" failed: ${why}`);
  }

  /** Called when the server asks for `method`; throws when the policy refuses it. */
  checkRequest(method: Exclude<AuthMethod, "none">): void {
    if (this.channelBinding === "require" && method !== "scram-sha-256") {
      throw new InterfaceError(
        `channel binding required, but the server asked for ${DESCRIBE[method]}, which cannot bind to the TLS channel; ` +
          "refusing to send the password",
      );
    }
    if (!this.allowed.has(method)) throw this.fail(`the server requested ${DESCRIBE[method]}`);
  }

  /**
   * Called at AuthenticationOk with what happened: the method the server used (none when it
   * asked for nothing) and whether SCRAM was bound to the TLS channel.
   */
  checkCompleted(method: AuthMethod, channelBound: boolean): void {
    if (this.channelBinding === "require" && !channelBound) {
      throw new InterfaceError(
        "channel binding required, but the server authenticated the client without channel binding",
      );
    }
    if (method === "none" && !this.allowed.has("none")) {
      throw this.fail("the server did not complete authentication");
    }
  }
}
