// The password file, the service file and the order in which sources fill the options.

import { describe, expect, it } from "vitest";
import { keywordsFromEnvironment } from "../../src/config/keywords.js";
import { findPgpassPassword, parsePgpass } from "../../src/config/pgpass.js";
import { findService } from "../../src/config/service.js";
import { mergeSources } from "../../src/config/sources.js";

describe("password file lines", () => {
  const entries = parsePgpass(
    [
      "# comment",
      "db.example:5432:app:alice:first",
      "db.example:*:*:alice:second",
      "*:*:*:bob:pa\\:ss\\\\word:with:colons",
      "malformed:line",
      "",
      "host\\:with\\:colons:1:d:u:escaped-host",
    ].join("\n"),
  );
  const q = { host: "db.example", port: 5432, database: "app", user: "alice" };

  it("the first matching line wins; * matches anything", () => {
    expect(findPgpassPassword(entries, q)).toBe("first");
    expect(findPgpassPassword(entries, { ...q, port: 6000 })).toBe("second");
    expect(findPgpassPassword(entries, { ...q, host: "other" })).toBeUndefined();
  });

  it("\\ escapes : and \\; the password keeps the rest of the line", () => {
    expect(findPgpassPassword(entries, { host: "x", port: 1, database: "d", user: "bob" })).toBe(
      "pa:ss\\word:with:colons",
    );
    expect(findPgpassPassword(entries, { host: "host:with:colons", port: 1, database: "d", user: "u" })).toBe(
      "escaped-host",
    );
  });

  it("skips comments and lines with fewer than five fields", () => {
    expect(entries).toHaveLength(4);
  });
});

describe("service file sections", () => {
  const text = [
    "# services",
    "[reports]",
    "host=db.example",
    "port = 5433",
    "dbname=reports",
    "",
    "[other]",
    "host=elsewhere",
  ].join("\n");

  it("returns the named section's keywords", () => {
    expect(findService(text, "reports", "f")).toEqual({ host: "db.example", port: "5433", dbname: "reports" });
    expect(findService(text, "other", "f")).toEqual({ host: "elsewhere" });
    expect(findService(text, "missing", "f")).toBeUndefined();
  });

  it("refuses unknown keywords, lines without = and nested services", () => {
    expect(() => findService("[s]\nnosuch=1", "s", "f")).toThrow(/service file "f", line 2: unknown keyword "nosuch"/);
    expect(() => findService("[s]\nhost", "s", "f")).toThrow(/line 2: missing "="/);
    expect(() => findService("[s]\nservice=t", "s", "f")).toThrow(/nested "service"/);
  });
});

describe("sources in libpq's order", () => {
  const env = {
    PGHOST: "env-host",
    PGPORT: "6000",
    PGUSER: "env-user",
    PGSSLMODE: "require",
    PGTZ: "UTC",
    PATH: "/bin",
  };

  it("reads only libpq's variables, empty ones as unset", () => {
    expect(keywordsFromEnvironment({ ...env, PGDATABASE: "" })).toEqual({
      host: "env-host",
      port: "6000",
      user: "env-user",
      sslmode: "require",
    });
  });

  it("explicit options, then the service file, then the environment", () => {
    const merged = mergeSources({
      explicit: { user: "given", port: undefined },
      service: { host: "service-host", dbname: "svc" },
      env,
    });
    expect(merged).toMatchObject({
      user: "given",
      host: "service-host",
      database: "svc",
      port: 6000,
      sslmode: "require",
      startup_params: { TimeZone: "UTC" },
    });
  });

  it("ssl_context overrides the environment's sslmode; unix_sock and bridge its host", () => {
    const merged = mergeSources({ explicit: { ssl_context: false, unix_sock: "/tmp/.s.PGSQL.5432" }, env });
    expect(merged.sslmode).toBeUndefined();
    expect(merged.host).toBeUndefined();
    expect(merged.port).toBeUndefined();
    expect(merged.user).toBe("env-user");
  });

  it("a non-integer PGCONNECT_TIMEOUT is an error naming it", () => {
    expect(() => mergeSources({ explicit: {}, env: { PGCONNECT_TIMEOUT: "soon" } })).toThrow(
      /invalid integer value "soon" for connection option "connect_timeout"/,
    );
  });
});
