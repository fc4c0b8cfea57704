// Builds the SQL notebook. `pg8000/native` resolves to the TypeScript sources, so the page
// always runs the driver as it is in this checkout (Vite compiles it; build/codec.wasm must
// exist: `npm run build:codec`). The WASM codec is emitted as an asset through its
// `new URL("../../build/codec.wasm", import.meta.url)`.
//
//   npx vite build --config web-demo/vite.config.ts      → web-demo/dist/
//   npx vite --config web-demo/vite.config.ts            → dev server

import { fileURLToPath } from "node:url";
import { defaultClientConditions, defineConfig } from "vite";

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here("."),
  base: "./",
  resolve: {
    alias: { "pg8000/native": here("../src/native/index.ts") },
    // package.json "imports" (#node-transport, #codec-wasm) then resolve to the sources too.
    conditions: ["pg8000-source", ...defaultClientConditions],
  },
  build: {
    outDir: here("dist"),
    emptyOutDir: true,
    target: "es2022",
    // The codec must stay a separate .wasm file (compileStreaming), never inlined as base64.
    assetsInlineLimit: (file) => (file.endsWith(".wasm") ? false : undefined),
  },
  server: {
    fs: { allow: [here("..")] },
  },
});
