// Compiling the codec from a URL over fetch(): browsers, workers, and Node or Deno when the
// module was loaded from http(s).

import { InterfaceError } from "../errors.js";

export async function compileFetched(url: URL): Promise<WebAssembly.Module> {
  try {
    if (typeof WebAssembly.compileStreaming === "function") {
      try {
        return await WebAssembly.compileStreaming(fetchOk(url));
      } catch (cause) {
        if (forbiddenByCsp(cause)) throw cause;
        // Typically a server that does not send application/wasm: fall through to a plain fetch.
      }
    }
    const response = await fetchOk(url);
    return await WebAssembly.compile(await response.arrayBuffer());
  } catch (cause) {
    throw cannotLoad(url.href, cause);
  }
}

async function fetchOk(url: URL): Promise<Response> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
  return response;
}

// Chromium: "…Refused to compile or instantiate WebAssembly module because 'unsafe-eval' is not
// an allowed source of script in the following Content Security Policy directive…".
function forbiddenByCsp(cause: unknown): boolean {
  return cause instanceof Error && /Content Security Policy|unsafe-eval/i.test(cause.message);
}

/** The error every failed load becomes, with what to do about it. */
export function cannotLoad(where: string, cause: unknown): InterfaceError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  const advice = forbiddenByCsp(cause)
    ? " (the page's Content Security Policy forbids compiling WebAssembly: add 'wasm-unsafe-eval' to its script-src," +
      " or pass a WebAssembly.Module compiled elsewhere as connect({ codec }))"
    : "";
  return new InterfaceError(`cannot load the WASM codec from ${where}: ${reason}${advice}`, { cause });
}
