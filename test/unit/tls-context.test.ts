// Secure contexts shared between connections (src/transport/tls-context.ts): the same settings
// share one context, different settings never do, and options it does not know pass untouched.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { withSharedContext } from "../../src/transport/tls-context.js";
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
});
