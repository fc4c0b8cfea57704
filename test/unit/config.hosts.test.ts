// Host lists: host, hostaddr and port as libpq pairs them up.

import { describe, expect, it } from "vitest";
import { describeTarget, expandHosts, shuffled } from "../../src/config/hosts.js";
import { resolveOptions } from "../../src/core/options.js";

describe("expandHosts", () => {
  it("defaults to localhost:5432", () => {
    expect(expandHosts(undefined, undefined, undefined)).toEqual([{ host: "localhost", port: 5432 }]);
  });

  it("one port for every host, or one per host; empty entries take the default", () => {
    expect(expandHosts("a,b", undefined, 6000)).toEqual([
      { host: "a", port: 6000 },
      { host: "b", port: 6000 },
    ]);
    expect(expandHosts(["a", "b"], undefined, [6000, "6001"])).toEqual([
      { host: "a", port: 6000 },
      { host: "b", port: 6001 },
    ]);
    expect(expandHosts("a,,c", undefined, "1,,3")).toEqual([
      { host: "a", port: 1 },
      { host: "localhost", port: 5432 },
      { host: "c", port: 3 },
    ]);
  });

  it("hostaddr pairs with host (which stays the name for TLS), or stands alone", () => {
    expect(expandHosts("db.example,other", "10.0.0.1,10.0.0.2", undefined)).toEqual([
      { host: "db.example", hostaddr: "10.0.0.1", port: 5432 },
      { host: "other", hostaddr: "10.0.0.2", port: 5432 },
    ]);
    expect(expandHosts(undefined, "10.0.0.1", 5)).toEqual([{ host: "10.0.0.1", hostaddr: "10.0.0.1", port: 5 }]);
  });

  it("mismatched list lengths are errors that say what to give", () => {
    expect(() => expandHosts("a,b", "1.1.1.1", undefined)).toThrow(/could not match 2 host names to 1 hostaddr/);
    expect(() => expandHosts("a,b,c", undefined, "1,2")).toThrow(/could not match 2 port numbers to 3 hosts/);
    expect(() => expandHosts([], undefined, undefined)).toThrow(/must not be an empty list/);
    expect(() => expandHosts("a", undefined, "x")).toThrow(/'port' must be an integer/);
  });

  it("socket directories become socket files", () => {
    expect(expandHosts("/tmp/,db", undefined, "5433,5434")).toEqual([
      { host: "/tmp/", port: 5433, unix_sock: "/tmp/.s.PGSQL.5433" },
      { host: "db", port: 5434 },
    ]);
  });

  it("the port option is a number or a list of numbers; connection strings give lists as text", () => {
    expect(resolveOptions({ user: "u", host: ["a", "b"], port: [1, 2] }).targets.map((t) => t.port)).toEqual([1, 2]);
    expect(resolveOptions("host=a,b,c port=1,,3 user=u").targets.map((t) => t.port)).toEqual([1, 5432, 3]);
    expect(() => resolveOptions({ user: "u", port: "5432" as unknown as number })).toThrow(
      /'port' must be a number, or a list of numbers \(one per host\), got "5432"/,
    );
    expect(() => resolveOptions("host=a port=x user=u")).toThrow(
      /invalid integer value "x" for connection option "port"/,
    );
  });

  it("the connect option host takes libpq's comma list", () => {
    expect(resolveOptions({ user: "u", host: "a, b", port: 7 }).targets).toEqual([
      { host: "a", port: 7 },
      { host: "b", port: 7 },
    ]);
  });

  it("names targets for errors", () => {
    expect(describeTarget({ host: "::1", port: 5 })).toBe("[::1]:5");
    expect(describeTarget({ host: "db", hostaddr: "10.0.0.1", port: 5 })).toBe("db (10.0.0.1):5");
    expect(describeTarget({ host: "/tmp", port: 5, unix_sock: "/tmp/.s.PGSQL.5" })).toBe("unix socket /tmp/.s.PGSQL.5");
  });
});

describe("shuffled (load_balance_hosts=random)", () => {
  it("keeps every entry and uses the random source", () => {
    const items = [1, 2, 3, 4];
    expect(shuffled(items, () => 0)).toEqual([2, 3, 4, 1]);
    expect(shuffled(items, () => 0.999)).toEqual([1, 2, 3, 4]);
    expect(shuffled(items).sort()).toEqual(items);
  });
});
