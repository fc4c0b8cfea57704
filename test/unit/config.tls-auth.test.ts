// sslmode and friends, require_auth and channel_binding: what is accepted and refused before
// any connection is made.

import { describe, expect, it } from "vitest";
import { tlsSettings } from "../../src/config/tls-settings.js";
import { AuthPolicy } from "../../src/core/auth/policy.js";
import { resolveOptions } from "../../src/core/options.js";
import { InterfaceError } from "../../src/errors.js";

describe("tlsSettings", () => {
  it("prefer by default, verify-full by default with sslrootcert=system", () => {
    expect(tlsSettings({}).mode).toBe("prefer");
    expect(tlsSettings({ sslrootcert: "system" }).mode).toBe("verify-full");
  });

  it("ssl_context maps to modes: false disable, true require unverified, object custom", () => {
    expect(tlsSettings({ ssl_context: false }).mode).toBe("disable");
    expect(tlsSettings({ ssl_context: true })).toMatchObject({ mode: "require", unverified: true });
    expect(tlsSettings({ ssl_context: { ca: "x" } })).toMatchObject({ mode: "require", custom: { ca: "x" } });
    expect(() => tlsSettings({ ssl_context: true, sslmode: "require" })).toThrow(/either 'ssl_context' or 'sslmode'/);
  });

  it("refuses weak modes with the system's roots, and what it cannot do", () => {
    expect(() => tlsSettings({ sslrootcert: "system", sslmode: "require" })).toThrow(
      /weak sslmode "require" may not be used with sslrootcert=system/,
    );
    expect(() => tlsSettings({ sslmode: "verify" })).toThrow(/invalid sslmode "verify"/);
    expect(() => tlsSettings({ sslnegotiation: "direct" })).toThrow(
      /weak sslmode "prefer" may not be used with sslnegotiation=direct/,
    );
    expect(tlsSettings({ sslnegotiation: "direct", sslmode: "require" }).negotiation).toBe("direct");
    expect(tlsSettings({}).negotiation).toBe("postgres");
    expect(() => tlsSettings({ gssencmode: "require" })).toThrow(/GSSAPI encryption is not supported/);
    expect(() => tlsSettings({ sslcertmode: "require" })).toThrow(/sslcertmode=require is not supported/);
    expect(() => tlsSettings({ ssl_min_protocol_version: "TLSv1.3", ssl_max_protocol_version: "TLSv1.2" })).toThrow(
      /below ssl_min_protocol_version/,
    );
  });

  it("protocol versions, SNI and client certificate sending", () => {
    expect(tlsSettings({})).toMatchObject({ minVersion: "TLSv1.2", sni: true, sendCertificate: true });
    expect(tlsSettings({ ssl_min_protocol_version: "TLSv1.3", sslsni: 0, sslcertmode: "disable" })).toMatchObject({
      minVersion: "TLSv1.3",
      sni: false,
      sendCertificate: false,
    });
  });
});

describe("require_auth and channel_binding", () => {
  const refuses = (policy: AuthPolicy, method: Parameters<AuthPolicy["checkRequest"]>[0]): string => {
    try {
      policy.checkRequest(method);
    } catch (e) {
      expect(e).toBeInstanceOf(InterfaceError);
      return (e as Error).message;
    }
    throw new Error(`${method} was allowed`);
  };

  it("a positive list allows only the methods named", () => {
    const p = AuthPolicy.parse("scram-sha-256", undefined);
    expect(() => p.checkRequest("scram-sha-256")).not.toThrow();
    expect(refuses(p, "password")).toBe(
      'authentication method requirement "scram-sha-256" failed: the server requested a cleartext password',
    );
    expect(refuses(p, "md5")).toMatch(/MD5-hashed password/);
    expect(() => p.checkCompleted("none", false)).toThrow(/the server did not complete authentication/);
  });

  it("negations forbid the methods named; !none demands authentication", () => {
    const p = AuthPolicy.parse("!password,!md5", undefined);
    expect(refuses(p, "password")).toMatch(/cleartext/);
    expect(refuses(p, "md5")).toMatch(/MD5/);
    expect(() => p.checkRequest("scram-sha-256")).not.toThrow();
    expect(() => p.checkCompleted("none", false)).not.toThrow();
    expect(() => AuthPolicy.parse("!none", undefined).checkCompleted("none", false)).toThrow(/did not complete/);
    expect(() => AuthPolicy.parse("none", undefined).checkCompleted("none", false)).not.toThrow();
    expect(refuses(AuthPolicy.parse("none", undefined), "scram-sha-256")).toMatch(/SCRAM/);
  });

  it("bad lists are InterfaceErrors", () => {
    expect(() => AuthPolicy.parse("password,!md5", undefined)).toThrow(/cannot be mixed/);
    expect(() => AuthPolicy.parse("kerberos", undefined)).toThrow(/invalid require_auth method "kerberos"/);
    expect(() => AuthPolicy.parse("md5,md5", undefined)).toThrow(/more than once/);
    expect(() => AuthPolicy.parse(undefined, "always")).toThrow(/invalid channel_binding value "always"/);
    expect(() => AuthPolicy.parse("password", "require")).toThrow(/channel_binding=require needs SCRAM/);
  });

  it("channel_binding=require refuses methods that cannot bind and an unbound result", () => {
    const p = AuthPolicy.parse(undefined, "require");
    expect(refuses(p, "md5")).toMatch(/channel binding required/);
    expect(() => p.checkCompleted("scram-sha-256", false)).toThrow(/without channel binding/);
    expect(() => p.checkCompleted("scram-sha-256", true)).not.toThrow();
  });

  it("are connect options too", () => {
    const o = resolveOptions({ user: "u", require_auth: "!password", channel_binding: "disable" });
    expect(o.auth.channelBinding).toBe("disable");
    expect(() => resolveOptions({ user: "u", require_auth: "cleartext" })).toThrow(InterfaceError);
  });
});
