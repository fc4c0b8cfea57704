// libpq connection strings, parsed without a server: URIs with several hosts, keyword/value.

import { describe, expect, it } from "vitest";
import { parseConnectionString } from "../../src/config/conninfo.js";
import { resolveOptions } from "../../src/core/options.js";
import { InterfaceError } from "../../src/errors.js";

describe("postgresql:// URIs", () => {
  it("reads user, password, host, port, database and parameters, percent-decoded", () => {
    expect(parseConnectionString("postgresql://al%40ice:p%3Aw%2F@db.example:6543/my%20db?sslmode=require")).toEqual({
      user: "al@ice",
      password: "p:w/",
      host: "db.example",
      port: "6543",
      dbname: "my db",
      sslmode: "require",
    });
    expect(parseConnectionString("postgres://")).toEqual({});
  });

  it("reads several hosts, each with or without a port, and bracketed IPv6 addresses", () => {
    expect(parseConnectionString("postgresql://a:5432,b:5433/db")).toEqual({
      host: "a,b",
      port: "5432,5433",
      dbname: "db",
    });
    expect(parseConnectionString("postgresql://a,[::1]:7000,c/db")).toEqual({
      host: "a,::1,c",
      port: ",7000,",
      dbname: "db",
    });
    const o = resolveOptions("postgresql://u@a,[::1]:7000,c/db");
    expect(o.targets).toEqual([
      { host: "a", port: 5432 },
      { host: "::1", port: 7000 },
      { host: "c", port: 5432 },
    ]);
  });

  it("a percent-encoded directory as host is a unix socket", () => {
    const o = resolveOptions("postgresql://u@%2Fvar%2Frun%2Fpostgresql:5433/db");
    expect(o.targets).toEqual([
      { host: "/var/run/postgresql", port: 5433, unix_sock: "/var/run/postgresql/.s.PGSQL.5433" },
    ]);
    const q = resolveOptions("postgresql:///db?host=/tmp&user=u");
    expect(q.targets[0]!.unix_sock).toBe("/tmp/.s.PGSQL.5432");
  });

  it("client-side parameters become options and are never startup parameters", () => {
    const o = resolveOptions(
      "postgresql://u@h/db?sslmode=verify-ca&sslrootcert=/ca.pem&channel_binding=require&target_session_attrs=read-write" +
        "&connect_timeout=10&application_name=app&load_balance_hosts=random&require_auth=scram-sha-256",
    );
    expect(o.startup_params).toBeUndefined();
    expect(o.tls.mode).toBe("verify-ca");
    expect(o.tls.rootcert).toBe("/ca.pem");
    expect(o.auth.channelBinding).toBe("require");
    expect(o.target_session_attrs).toBe("read-write");
    expect(o.connect_timeout).toBe(10);
    expect(o.application_name).toBe("app");
    expect(o.load_balance_hosts).toBe("random");
  });

  it("server settings travel in options (and client_encoding), as libpq sends them", () => {
    const o = resolveOptions("postgresql://u@h/db?options=-c%20geqo%3Doff&client_encoding=LATIN1");
    expect(o.startup_params).toEqual({ options: "-c geqo=off", client_encoding: "LATIN1" });
    expect(resolveOptions("postgresql://u@h/db?client_encoding=auto").startup_params).toBeUndefined();
  });

  it("an unknown parameter is an InterfaceError that says how to set a server setting", () => {
    const err = (() => {
      try {
        parseConnectionString("postgresql://u@h/db?TimeZone=UTC");
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(InterfaceError);
    expect((err as Error).message).toMatch(/invalid URI query parameter "TimeZone".*options=-c TimeZone=value/);
  });

  it("ssl=true is sslmode=require (JDBC compatibility, as in libpq)", () => {
    expect(parseConnectionString("postgresql://h?ssl=true")).toEqual({ host: "h", sslmode: "require" });
  });

  it("bad URIs name the problem", () => {
    expect(() => parseConnectionString("postgresql://h?sslmode")).toThrow(/missing "="/);
    expect(() => parseConnectionString("postgresql://[::1/db")).toThrow(/unterminated IPv6/);
    expect(() => parseConnectionString("postgresql://h/%E0%A4%A")).toThrow(/percent-encoding/);
    expect(() => resolveOptions("postgresql://u@h:99999/db")).toThrow(/'port' must be an integer from 1 to 65535/);
  });
});

describe("keyword/value connection strings", () => {
  it("reads pairs with spaces around =, quoted values and escapes", () => {
    expect(parseConnectionString(" host = localhost port=5433 dbname='my db' password='it\\'s' user=a\\ b ")).toEqual({
      host: "localhost",
      port: "5433",
      dbname: "my db",
      password: "it's",
      user: "a b",
    });
  });

  it("refuses unknown keywords, a missing = and an unterminated quote", () => {
    expect(() => parseConnectionString("host=h nosuch=1")).toThrow(/invalid connection string parameter "nosuch"/);
    expect(() => parseConnectionString("host")).toThrow(/missing "=" after "host"/);
    expect(() => parseConnectionString("password='abc")).toThrow(/unterminated quoted value/);
  });
});
