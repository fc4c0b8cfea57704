// Compiles the codec where compiling is allowed and posts the module to the page.
import codecUrl from "pg8000/codec.wasm?url";

WebAssembly.compileStreaming(fetch(codecUrl)).then(
  (module) => self.postMessage(module),
  (err) => self.postMessage(`cannot compile: ${err.message}`),
);
