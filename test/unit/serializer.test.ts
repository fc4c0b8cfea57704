// Frontend messages byte for byte, against layouts written out by hand from the protocol docs.

import { describe, expect, it } from "vitest";
import { InterfaceError } from "../../src/errors.js";
import * as msg from "../../src/protocol/serializer.js";

function build(f: (w: msg.MessageWriter) => void): number[] {
  const w = new msg.MessageWriter(4);
  f(w);
  return [...w.take()];
}
const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

describe("frontend messages", () => {
  it("StartupMessage: length, protocol 3.0, key/value pairs, terminator", () => {
    expect(build((w) => msg.startup(w, { user: "bob" }))).toEqual([
      0,
      0,
      0,
      18,
      0,
      3,
      0,
      0,
      ...ascii("user"),
      0,
      ...ascii("bob"),
      0,
      0,
    ]);
  });

  it("SSLRequest and CancelRequest", () => {
    expect(build(msg.sslRequest)).toEqual([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);
    expect(build((w) => msg.cancelRequest(w, 0x01020304, -1))).toEqual([
      0, 0, 0, 16, 0x04, 0xd2, 0x16, 0x2e, 1, 2, 3, 4, 0xff, 0xff, 0xff, 0xff,
    ]);
  });

  it("Query with UTF-8 text", () => {
    expect(build((w) => msg.query(w, "é"))).toEqual([0x51, 0, 0, 0, 7, 0xc3, 0xa9, 0]);
  });

  it("Parse with parameter type OIDs", () => {
    expect(build((w) => msg.parse(w, "s1", "SELECT $1", [23]))).toEqual([
      0x50,
      0,
      0,
      0,
      23,
      ...ascii("s1"),
      0,
      ...ascii("SELECT $1"),
      0,
      0,
      1,
      0,
      0,
      0,
      23,
    ]);
  });

  it("Bind: all-text parameters use the short format list; NULL is length -1", () => {
    expect(
      build((w) =>
        msg.bind(
          w,
          "",
          "s1",
          [
            { format: 0, data: "7" },
            { format: 0, data: null },
          ],
          [1],
        ),
      ),
    ).toEqual([
      0x42,
      0,
      0,
      0,
      25,
      0,
      ...ascii("s1"),
      0,
      0,
      0, // no parameter format codes: all text
      0,
      2,
      0,
      0,
      0,
      1,
      0x37,
      0xff,
      0xff,
      0xff,
      0xff,
      0,
      1,
      0,
      1, // one result format code: binary
    ]);
  });

  it("Bind: a binary parameter sends one format code per parameter", () => {
    expect(
      build((w) =>
        msg.bind(
          w,
          "p",
          "",
          [
            { format: 0, data: "a" },
            { format: 1, data: new Uint8Array([9]) },
          ],
          [],
        ),
      ),
    ).toEqual([0x42, 0, 0, 0, 27, ...ascii("p"), 0, 0, 0, 2, 0, 0, 0, 1, 0, 2, 0, 0, 0, 1, 0x61, 0, 0, 0, 1, 9, 0, 0]);
  });

  it("Describe, Execute, Close, Sync, Flush, Terminate", () => {
    expect(build((w) => msg.describe(w, "S", "s1"))).toEqual([0x44, 0, 0, 0, 8, 0x53, ...ascii("s1"), 0]);
    expect(build((w) => msg.execute(w, "", 100))).toEqual([0x45, 0, 0, 0, 9, 0, 0, 0, 0, 100]);
    expect(build((w) => msg.close(w, "P", ""))).toEqual([0x43, 0, 0, 0, 6, 0x50, 0]);
    expect(build(msg.sync)).toEqual([0x53, 0, 0, 0, 4]);
    expect(build(msg.flush)).toEqual([0x48, 0, 0, 0, 4]);
    expect(build(msg.terminate)).toEqual([0x58, 0, 0, 0, 4]);
  });

  it("Password and SASL messages", () => {
    expect(build((w) => msg.password(w, "pw"))).toEqual([0x70, 0, 0, 0, 7, ...ascii("pw"), 0]);
    expect(build((w) => msg.saslInitialResponse(w, "M", "ab"))).toEqual([
      0x70,
      0,
      0,
      0,
      12,
      ...ascii("M"),
      0,
      0,
      0,
      0,
      2,
      ...ascii("ab"),
    ]);
    expect(build((w) => msg.saslResponse(w, "xyz"))).toEqual([0x70, 0, 0, 0, 7, ...ascii("xyz")]);
  });

  it("CopyData, CopyDone, CopyFail", () => {
    expect(build((w) => msg.copyData(w, new Uint8Array([1, 2])))).toEqual([0x64, 0, 0, 0, 6, 1, 2]);
    expect(build((w) => msg.copyData(w, "a\n"))).toEqual([0x64, 0, 0, 0, 6, 0x61, 0x0a]);
    expect(build(msg.copyDone)).toEqual([0x63, 0, 0, 0, 4]);
    expect(build((w) => msg.copyFail(w, "no"))).toEqual([0x66, 0, 0, 0, 7, ...ascii("no"), 0]);
  });

  it("a NUL inside a string is refused instead of cutting the message", () => {
    expect(() => build((w) => msg.query(w, "SELECT '\0'"))).toThrow(InterfaceError);
  });

  it("more than 65535 parameters is an InterfaceError", () => {
    expect(() => build((w) => msg.parse(w, "", "", new Array(65536).fill(0)))).toThrow(/at most 65535/);
  });

  it("messages share one buffer that grows as needed", () => {
    const w = new msg.MessageWriter(4);
    msg.query(w, "x".repeat(10000));
    msg.sync(w);
    const bytes = w.take();
    expect(bytes.length).toBe(1 + 4 + 10001 + 5);
    expect([...bytes.slice(-5)]).toEqual([0x53, 0, 0, 0, 4]);
    expect(w.length).toBe(0);
  });
});
