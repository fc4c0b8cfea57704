// connect({ codec }): a compiled module or the bytes of build/codec.wasm; anything else, or bytes
// that are not the codec, is an InterfaceError, and the byte stream opened meanwhile is closed.

import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ColumnKind, loadCodec } from "../../src/codec/index.js";
import { InterfaceError } from "../../src/errors.js";
import { connect } from "../../src/native/index.js";
import type { Transport } from "../../src/transport/transport.js";

const codecBytes = readFileSync(path.resolve(import.meta.dirname, "../../build/codec.wasm"));

/** A byte stream that records what the driver does with it and never answers. */
function recordingTransport(): Transport & { destroyed: boolean; written: number } {
  return {
    destroyed: false,
    written: 0,
    encrypted: false,
    attach() {},
    write(bytes) {
      this.written += bytes.length;
      return true;
    },
    pause() {},
    resume() {},
    end() {
      this.destroyed = true;
    },
    destroy() {
      this.destroyed = true;
    },
  };
}

describe("the codec option", () => {
  it("loadCodec accepts the codec's bytes and a compiled module", async () => {
    for (const module of [new Uint8Array(codecBytes), codecBytes.buffer, await WebAssembly.compile(codecBytes)]) {
      const codec = await loadCodec({ module });
      codec.setPlan([ColumnKind.Int4]);
      // An empty message: 'Z' (ReadyForQuery) with status 'I'.
      expect(codec.push(Uint8Array.of(0x5a, 0, 0, 0, 5, 0x49))).toBe(1);
    }
  });

  it.each([
    ["a string", "codec.wasm"],
    ["a number", 1],
    ["a plain object", { module: true }],
  ])("refuses %s before connecting", async (_what, codec) => {
    const sock = recordingTransport();
    await expect(connect({ user: "u", sock, ssl_context: false, codec: codec as never })).rejects.toThrow(
      /codec must be a WebAssembly\.Module or the bytes of build\/codec\.wasm/,
    );
    expect(sock.written).toBe(0);
  });

  it("bytes that are not the codec: an InterfaceError, and the stream opened meanwhile is closed", async () => {
    const sock = recordingTransport();
    const attempt = connect({ user: "u", sock, ssl_context: false, codec: Uint8Array.of(1, 2, 3, 4) });
    await expect(attempt).rejects.toThrow(InterfaceError);
    await expect(attempt).rejects.toThrow(/cannot load the WASM codec from the bytes given as codec/);
    expect(sock.destroyed).toBe(true);
  });
});
