// Secure contexts shared between connections (src/transport/tls-context.ts): the same settings
// share one context, different settings never do, and options it does not know pass untouched.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { groupLists, keyExchangeGroups, withSharedContext } from "../../src/transport/tls-context.js";
import { clusterInfo } from "../tools/cluster-info.js";

const CA = readFileSync(clusterInfo().caCertPath, "utf8");

describe("withSharedContext", () => {
  it("gives connections with the same settings one context, keeping the per-connection options", () => {
    const check = () => undefined;
    const a = withSharedContext({
      ca: CA,
      rejectUnauthorized: true,
      servername: "db.example",
      checkServerIdentity: check,
    });
    const b = withSharedContext({ ca: Buffer.from(CA), rejectUnauthorized: true, servername: "other.example" });
    expect(a.secureContext).toBeDefined();
    expect(b.secureContext).toBe(a.secureContext); // the same CA, as a string or as bytes
    expect(a).toEqual({
      secureContext: a.secureContext,
      rejectUnauthorized: true,
      servername: "db.example",
      checkServerIdentity: check,
    });
    expect(b.servername).toBe("other.example");
    expect(a).not.toHaveProperty("ca");
  });

  it("makes a new context for different roots, versions or CRLs", () => {
    const base = withSharedContext({ ca: CA }).secureContext;
    expect(withSharedContext({ ca: [CA] }).secureContext).not.toBe(base);
    expect(withSharedContext({ ca: CA, minVersion: "TLSv1.3" }).secureContext).not.toBe(base);
    expect(withSharedContext({ ca: CA, minVersion: "TLSv1.3" }).secureContext).toBe(
      withSharedContext({ ca: CA, minVersion: "TLSv1.3" }).secureContext,
    );
    expect(withSharedContext({}).secureContext).not.toBe(base);
  });

  it("passes options it does not know to tls.connect untouched", () => {
    const options = { ca: CA, ciphers: "HIGH" };
    expect(withSharedContext(options)).toBe(options);
    const keyObject = { ca: CA, key: [{ pem: "x", passphrase: "y" }] };
    expect(withSharedContext(keyObject as never)).toBe(keyObject);
  });

  it("shares the context of options that offer ALPN, which each connection keeps", () => {
    const a = withSharedContext({ ca: CA, rejectUnauthorized: true, ALPNProtocols: ["postgresql"] });
    expect(a.secureContext).toBeDefined();
    expect(a.ALPNProtocols).toEqual(["postgresql"]);
    expect(withSharedContext({ ca: CA, rejectUnauthorized: true }).secureContext).toBe(a.secureContext);
  });

  it("makes a context per list of key-exchange groups", () => {
    const groups = keyExchangeGroups()!;
    const preferred = withSharedContext({ ca: CA, ecdhCurve: groups }).secureContext;
    expect(preferred).toBe(withSharedContext({ ca: CA, ecdhCurve: groups }).secureContext);
    expect(withSharedContext({ ca: CA, ecdhCurve: "X25519:P-256" }).secureContext).not.toBe(preferred);
    expect(withSharedContext({ ca: CA }).secureContext).not.toBe(preferred);
  });
});

describe("keyExchangeGroups", () => {
  it("puts P-256 first and still offers the other groups of OpenSSL's default list", () => {
    const groups = keyExchangeGroups()!.split(":");
    expect(groups[0]).toBe("P-256");
    expect(groups).toEqual(expect.arrayContaining(["X25519", "X448", "P-384", "P-521", "ffdhe2048"]));
  });

  it("leaves OpenSSL 3.5 and later their own default (post-quantum key shares first)", () => {
    expect(groupLists("3.0.19")[0]).toMatch(/^P-256:/);
    expect(groupLists("3.4.1")[0]).toMatch(/^P-256:/);
    expect(groupLists("3.5.0")).toEqual([]);
    expect(groupLists("4.0.1")).toEqual([]);
    expect(groupLists(undefined)[0]).toMatch(/^P-256:/); // another library: tried, kept if it takes the list
  });
});
