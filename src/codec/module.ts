// Compiling and instantiating build/codec*.wasm, in Node and in browsers. Each build is compiled
// once per process; every Codec gets its own instance (its own memory).

import { InterfaceError } from "../errors.js";
import type { CodecExports } from "./layout.js";

export type CodecBuild = "release" | "debug";

const compiled = new Map<CodecBuild, Promise<WebAssembly.Module>>();

/** The compiled module for a build, shared by every Codec of that build. */
export function compileCodec(build: CodecBuild): Promise<WebAssembly.Module> {
  let module = compiled.get(build);
  if (module === undefined) {
    module = compileFrom(wasmUrl(build));
    compiled.set(build, module);
    // A failed load (file missing, network) may succeed later: don't cache the failure.
    module.catch(() => compiled.delete(build));
  }
  return module;
}

// Literal `new URL(…, import.meta.url)` so bundlers see the asset; the relative path is the same
// from src/codec/ and dist/codec/.
function wasmUrl(build: CodecBuild): URL {
  return build === "debug"
    ? new URL("../../build/codec.debug.wasm", import.meta.url)
    : new URL("../../build/codec.wasm", import.meta.url);
}

async function compileFrom(url: URL): Promise<WebAssembly.Module> {
  try {
    if (url.protocol === "file:") {
      const { readFile } = await import("node:fs/promises");
      return await WebAssembly.compile(await readFile(url));
    }
    return await compileFetched(url);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new InterfaceError(`cannot load the WASM codec from ${url.href}: ${reason}`, { cause });
  }
}

async function compileFetched(url: URL): Promise<WebAssembly.Module> {
  if (typeof WebAssembly.compileStreaming === "function") {
    try {
      return await WebAssembly.compileStreaming(fetchOk(url));
    } catch {
      // Typically a server that does not send application/wasm: fall through to a plain fetch.
    }
  }
  const response = await fetchOk(url);
  return WebAssembly.compile(await response.arrayBuffer());
}

async function fetchOk(url: URL): Promise<Response> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
  return response;
}

/** A fresh instance; its debug-build assertions surface as errors (they mean a codec bug). */
export async function instantiateCodec(module: WebAssembly.Module): Promise<CodecExports> {
  let memory: WebAssembly.Memory | undefined;
  const imports = {
    env: {
      abort(message: number, file: number, line: number, column: number): never {
        const text = memory ? `${readString(memory, message)} at ${readString(memory, file)}:${line}:${column}` : "";
        throw new InterfaceError(`WASM codec assertion failed: ${text}`);
      },
    },
  };
  const instance = await WebAssembly.instantiate(module, imports);
  const exports = instance.exports as unknown as CodecExports;
  memory = exports.memory;
  return exports;
}

/** An AssemblyScript string: UTF-16 code units, byte length in the word before it. */
function readString(memory: WebAssembly.Memory, ptr: number): string {
  if (ptr < 4) return "";
  const view = new DataView(memory.buffer);
  const bytes = view.getUint32(ptr - 4, true);
  let s = "";
  for (let i = 0; i + 1 < bytes && i < 2048; i += 2) s += String.fromCharCode(view.getUint16(ptr + i, true));
  return s;
}
