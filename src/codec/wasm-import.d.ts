// A `.wasm` import as workerd's bundlers link it: the compiled module (see wasm-workerd.ts).
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}
