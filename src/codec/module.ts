// Compiling and instantiating build/codec*.wasm, in Node and in browsers. Each build is compiled
// once per process; every Codec gets its own instance, on a memory of its own (a new one, or one
// a retired codec gave back: memory-pool.ts).

import { compileBuild } from "#codec-wasm";
import { InterfaceError } from "../errors.js";
import type { CodecExports, WasmMemory } from "./layout.js";
import { recycleMemory, takeMemory } from "./memory-pool.js";
import { cannotLoad } from "./wasm-fetch.js";

export type CodecBuild = "release" | "debug";

/**
 * A compiled `WebAssembly.Module`. Spelled through `globalThis` so that declaration files
 * type-check in projects whose libs declare no WebAssembly (Node's lib without "dom"); there it
 * is any object.
 */
export type WasmModule = typeof globalThis extends { WebAssembly: { Module: abstract new (...args: never) => infer M } }
  ? M
  : object;

/** The codec as a compiled module, or the bytes of build/codec.wasm. */
export type CodecSource = WasmModule | ArrayBuffer | ArrayBufferView;

const compiled = new Map<CodecBuild, Promise<WebAssembly.Module>>();

/** The compiled module for a build, shared by every Codec of that build. */
export function compileCodec(build: CodecBuild): Promise<WasmModule> {
  let module = compiled.get(build);
  if (module === undefined) {
    module = compileBuild(build);
    compiled.set(build, module);
    // A failed load (file missing, network) may succeed later: don't cache the failure.
    module.catch(() => compiled.delete(build));
  }
  return module;
}

const compiledBytes = new WeakMap<object, Promise<WebAssembly.Module>>();

export const CODEC_SOURCE_EXPECTED =
  "codec must be a WebAssembly.Module or the bytes of build/codec.wasm (an ArrayBuffer or a Uint8Array)";

export function isCodecSource(source: unknown): source is CodecSource {
  return source instanceof WebAssembly.Module || source instanceof ArrayBuffer || ArrayBuffer.isView(source);
}

/** The module given as connect({ codec }) / loadCodec({ module }): compiled once per bytes object. */
export function codecFromSource(source: CodecSource): Promise<WasmModule> {
  if (source instanceof WebAssembly.Module) return Promise.resolve(source);
  if (!isCodecSource(source)) return Promise.reject(new InterfaceError(CODEC_SOURCE_EXPECTED));
  let module = compiledBytes.get(source);
  if (module === undefined) {
    module = WebAssembly.compile(source as BufferSource).catch((cause: unknown) => {
      throw cannotLoad("the bytes given as codec", cause);
    });
    compiledBytes.set(source, module);
  }
  return module;
}

/** An instance and the memory it runs on; `recycle` gives the memory back when the codec is retired. */
export interface CodecInstance {
  exports: CodecExports;
  /** Set when the memory is ours to reuse (the module imports it, as build/codec*.wasm do). */
  recycle: ((memory: WasmMemory) => void) | null;
}

/**
 * A fresh instance on an idle memory of a retired codec, or a new one (memory-pool.ts); its
 * debug-build assertions surface as errors (they mean a codec bug).
 */
export async function instantiateCodec(module: WasmModule): Promise<CodecInstance> {
  const given = takeMemory();
  let memory: WasmMemory | undefined;
  const imports = {
    env: {
      memory: given,
      abort(message: number, file: number, line: number, column: number): never {
        const text = memory ? `${readString(memory, message)} at ${readString(memory, file)}:${line}:${column}` : "";
        throw new InterfaceError(`WASM codec assertion failed: ${text}`);
      },
    },
  };
  // A failed instantiation may have written the memory: it is not reused then.
  const instance = await WebAssembly.instantiate(module, imports);
  const exports = instance.exports as unknown as CodecExports;
  memory = exports.memory;
  // A module that brings its own memory (built without importMemory) exports that one instead.
  return { exports, recycle: memory === given ? recycleMemory : null };
}

/** An AssemblyScript string: UTF-16 code units, byte length in the word before it. */
function readString(memory: WasmMemory, ptr: number): string {
  if (ptr < 4) return "";
  const view = new DataView(memory.buffer);
  const bytes = view.getUint32(ptr - 4, true);
  let s = "";
  for (let i = 0; i + 1 < bytes && i < 2048; i += 2) s += String.fromCharCode(view.getUint16(ptr + i, true));
  return s;
}
