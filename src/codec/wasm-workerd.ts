// `#codec-wasm` for Cloudflare's workerd: it may not compile WebAssembly at run time, but its
// bundlers (wrangler) link a `.wasm` import as a compiled WebAssembly.Module, so the codec comes
// in as one and connect() needs no `codec` option there.

import codec from "../../build/codec.wasm";
import { InterfaceError } from "../errors.js";
import type { CodecBuild } from "./module.js";

export async function compileBuild(build: CodecBuild): Promise<WebAssembly.Module> {
  if (build !== "release") throw new InterfaceError("the debug codec build loads only in Node");
  return codec;
}
