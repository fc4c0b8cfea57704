// require_auth and channel_binding (libpq 16 semantics) against the test cluster's users:
// trust, cleartext password, md5 and scram-sha-256. Node only.

import { describe, expect, it } from "vitest";
import { InterfaceError } from "../../src/errors.js";
import { type ConnectOptions, connect } from "../../src/native/index.js";
import { cluster } from "./helpers.js";

const at = { host: "localhost", port: cluster.port, database: cluster.database };
const users = {
  trust: { ...at, user: cluster.users.trust.user },
  password: { ...at, ...cluster.users.password },
  md5: { ...at, ...cluster.users.md5 },
  scram: { ...at, ...cluster.users.scram },
};
type Kind = keyof typeof users;

/** "ok" when the login works, else the InterfaceError's message; a password function notes whether it was asked. */
async function attempt(kind: Kind, extra: ConnectOptions): Promise<{ outcome: string; passwordAsked: boolean }> {
  let passwordAsked = false;
  const login = users[kind];
  const password = "password" in login ? login.password : undefined;
  const options: ConnectOptions = {
    ...login,
    password: () => {
      passwordAsked = true;
      return password ?? "";
    },
    ...extra,
  };
  try {
    const con = await connect(options);
    await con.close();
    return { outcome: "ok", passwordAsked };
  } catch (err) {
    expect(err).toBeInstanceOf(InterfaceError);
    return { outcome: (err as Error).message, passwordAsked };
  }
}

describe("require_auth", () => {
  it.each([
    // [require_auth, user, allowed?]
    ["scram-sha-256", "scram", true],
    ["scram-sha-256", "md5", false],
    ["scram-sha-256", "password", false],
    ["scram-sha-256", "trust", false],
    ["md5", "md5", true],
    ["md5", "scram", false],
    ["password", "password", true],
    ["password,md5", "md5", true],
    ["none", "trust", true],
    ["none", "scram", false],
    ["!password,!md5", "scram", true],
    ["!password,!md5", "trust", true],
    ["!password,!md5", "password", false],
    ["!password,!md5", "md5", false],
    ["!none", "trust", false],
    ["!none", "scram", true],
  ] as const)("require_auth=%s, %s user: allowed %s", async (requireAuth, kind, allowed) => {
    const { outcome, passwordAsked } = await attempt(kind, { require_auth: requireAuth, sslmode: "disable" });
    if (allowed) {
      expect(outcome).toBe("ok");
    } else {
      expect(outcome).toMatch(new RegExp(`^authentication method requirement "${requireAuth}" failed: the server`));
      // Refused before the password was looked up, so nothing was sent.
      expect(passwordAsked).toBe(false);
    }
  });

  it("the refusal names what the server asked for", async () => {
    expect((await attempt("password", { require_auth: "!password", sslmode: "disable" })).outcome).toBe(
      'authentication method requirement "!password" failed: the server requested a cleartext password',
    );
    expect((await attempt("trust", { require_auth: "md5", sslmode: "disable" })).outcome).toBe(
      'authentication method requirement "md5" failed: the server did not complete authentication',
    );
  });

  it("works in a URI and refuses unknown methods before connecting", async () => {
    const { user, password } = cluster.users.md5;
    const uri = `postgresql://${user}:${password}@localhost:${cluster.port}/${cluster.database}?require_auth=scram-sha-256&sslmode=disable`;
    await expect(connect(uri)).rejects.toThrow(
      /requirement "scram-sha-256" failed: the server requested an MD5-hashed password/,
    );
    await expect(connect({ ...users.trust, require_auth: "ldap" })).rejects.toThrow(
      /invalid require_auth method "ldap"/,
    );
  });
});

describe("channel_binding", () => {
  const tls = { sslmode: "verify-full" as const, sslrootcert: cluster.caCertPath };

  it("require: SCRAM-SHA-256-PLUS over TLS logs in", async () => {
    expect((await attempt("scram", { ...tls, channel_binding: "require" })).outcome).toBe("ok");
  });

  it("require also binds over TLS that does not verify the certificate (sslmode=require)", async () => {
    expect((await attempt("scram", { sslmode: "require", channel_binding: "require" })).outcome).toBe("ok");
  });

  it("require refuses a connection without TLS, password and md5 logins, and trust", async () => {
    expect((await attempt("scram", { sslmode: "disable", channel_binding: "require" })).outcome).toMatch(
      /channel binding required, but this connection has no TLS server certificate/,
    );
    for (const kind of ["password", "md5"] as const) {
      const { outcome, passwordAsked } = await attempt(kind, { ...tls, channel_binding: "require" });
      expect(outcome).toMatch(/channel binding required, but the server asked for .* refusing to send the password/);
      expect(passwordAsked).toBe(false);
    }
    expect((await attempt("trust", { ...tls, channel_binding: "require" })).outcome).toBe(
      "channel binding required, but the server authenticated the client without channel binding",
    );
  });

  it("disable and prefer log in over TLS and without it", async () => {
    for (const channel_binding of ["disable", "prefer"] as const) {
      expect((await attempt("scram", { ...tls, channel_binding })).outcome).toBe("ok");
      expect((await attempt("scram", { sslmode: "disable", channel_binding })).outcome).toBe("ok");
    }
  });

  it("a bad value is refused before connecting", async () => {
    await expect(connect({ ...users.scram, channel_binding: "always" as "require" })).rejects.toThrow(
      /invalid channel_binding value "always"/,
    );
  });
});
