// `#codec-wasm` in browser and worker bundles: the release codec fetched from next to this
// module. The URL is a literal `new URL(…, import.meta.url)` so bundlers (Vite, webpack) emit
// build/codec.wasm as an asset; the debug build is never referenced, so never emitted.

import { InterfaceError } from "../errors.js";
import type { CodecBuild } from "./module.js";
import { cannotLoad, compileFetched } from "./wasm-fetch.js";

export async function compileBuild(build: CodecBuild): Promise<WebAssembly.Module> {
  if (build !== "release") {
    throw new InterfaceError("the debug codec build loads only in Node; in browsers and workers use the release build");
  }
  let url: URL;
  try {
    url = new URL("../../build/codec.wasm", import.meta.url);
  } catch (cause) {
    // workerd and some bundles give modules no URL to resolve the asset against.
    throw cannotLoad(
      "build/codec.wasm (this runtime gives the module no URL to find it by; import pg8000/codec.wasm as a" +
        " WebAssembly.Module and pass it as connect({ codec }))",
      cause,
    );
  }
  return compileFetched(url);
}
