// `#codec-wasm` in Node, Deno and Bun: build/codec*.wasm read from disk next to this module.

import type { CodecBuild } from "./module.js";
import { cannotLoad, compileFetched } from "./wasm-fetch.js";

export async function compileBuild(build: CodecBuild): Promise<WebAssembly.Module> {
  // The relative path is the same from src/codec/ and dist/codec/.
  const url =
    build === "debug"
      ? new URL("../../build/codec.debug.wasm", import.meta.url)
      : new URL("../../build/codec.wasm", import.meta.url);
  if (url.protocol !== "file:") return compileFetched(url);
  try {
    const { readFile } = await import("node:fs/promises");
    return await WebAssembly.compile(await readFile(url));
  } catch (cause) {
    throw cannotLoad(url.href, cause);
  }
}
