/**
 * `pg8000/codec`: the WebAssembly wire codec on its own. It frames PostgreSQL backend messages
 * (one WASM call per socket chunk) and decodes binary columns — the fixed-width types, numeric,
 * and arrays and ranges of them — into typed arrays (layouts: ColumnKind).
 *
 * Direct use from Node, e.g. on a socket already past startup:
 * ```ts
 * import { loadCodec, readFrames, ColumnKind } from "pg8000/codec";
 * const codec = await loadCodec();
 * for await (const m of readFrames(codec, socket)) {
 *   if (m.type === "D") console.log(codec.fieldText(m.index, 0));
 *   if (m.type === "T") codec.setPlan([ColumnKind.Int4, ColumnKind.Text]); // for the rows that follow
 * }
 * ```
 * Plan kinds are ColumnKind values, arrayKind(k) and rangeKind(k); the values of numeric, array
 * and range columns live at addresses in `bytes`/`views` (see ColumnKind for every layout).
 * Everything handed out (bytes, views, messages, fields, column(c), message bodies) is a view on WASM
 * memory and is valid only until the next push/resume; copy what you keep. The driver core reads
 * `messages`/`fields` and `column(c)` directly rather than the per-field helpers.
 */

import { InterfaceError } from "../errors.js";
import { Codec, type FramedMessage } from "./codec.js";
import { MAX_PLAN_COLUMNS } from "./layout.js";
import { type CodecBuild, type CodecSource, codecFromSource, compileCodec, instantiateCodec } from "./module.js";

export { Codec, type FramedMessage, type MemoryViews, type TypedColumn } from "./codec.js";
export { arrayKind, ColumnKind, type ColumnKindValue, columnSize, MESSAGE_STRIDE, rangeKind } from "./layout.js";
export { type CodecBuild, type CodecSource, compileCodec, type WasmModule } from "./module.js";
export { DecodePlan } from "./plan.js";
export { MAX_PLAN_COLUMNS };

export interface CodecOptions {
  /** Which build of build/codec*.wasm to run; the debug build checks internal assertions. */
  build?: CodecBuild;
  /** Largest announced message length accepted (default 1 GiB); anything bigger is an InterfaceError. */
  maxMessageSize?: number;
  /**
   * The codec compiled elsewhere (a WebAssembly.Module) or the bytes of build/codec.wasm, instead
   * of loading build/codec*.wasm next to this module (workerd, strict CSP, custom bundling).
   */
  module?: CodecSource | undefined;
}

export const DEFAULT_MAX_MESSAGE_SIZE = 1 << 30;

/**
 * A new Codec with its own WASM instance; the module is compiled once per build. The instance
 * runs on the memory of a retired codec when one is idle (zeroed: see Codec.retire), else on a new one.
 */
export async function loadCodec(options: CodecOptions = {}): Promise<Codec> {
  const build = options.build ?? "release";
  if (build !== "release" && build !== "debug") throw new InterfaceError(`unknown codec build ${String(build)}`);
  const maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
  if (!(Number.isInteger(maxMessageSize) && maxMessageSize >= 4 && maxMessageSize <= 0x7fffffff)) {
    throw new InterfaceError(`maxMessageSize must be an integer from 4 to 2147483647, not ${maxMessageSize}`);
  }
  const module =
    options.module !== undefined
      ? await codecFromSource(options.module)
      : ((await compileCodec(build)) as WebAssembly.Module);
  const { exports, recycle } = await instantiateCodec(module);
  return new Codec(exports, maxMessageSize, recycle);
}

/**
 * Pushes each chunk and yields every framed message, resuming while framing is pending. A
 * message's views are valid until the next one is requested after its batch ends, so consume
 * (or copy) each before moving on; setPlan() on a "T" applies to the rows that follow it.
 */
export async function* readFrames(
  codec: Codec,
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): AsyncGenerator<FramedMessage, void, undefined> {
  for await (const chunk of chunks) {
    codec.push(chunk);
    yield* codec.frames();
    while (codec.pending) {
      codec.resume();
      yield* codec.frames();
    }
  }
}
