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
import { type CodecBuild, compileCodec, instantiateCodec } from "./module.js";

export { Codec, type FramedMessage, type MemoryViews, type TypedColumn } from "./codec.js";
export { arrayKind, ColumnKind, type ColumnKindValue, columnSize, MESSAGE_STRIDE, rangeKind } from "./layout.js";
export { type CodecBuild, compileCodec } from "./module.js";
export { DecodePlan } from "./plan.js";
export { MAX_PLAN_COLUMNS };

export interface CodecOptions {
  /** Which build of build/codec*.wasm to run; the debug build checks internal assertions. */
  build?: CodecBuild;
  /** Largest announced message length accepted (default 1 GiB); anything bigger is an InterfaceError. */
  maxMessageSize?: number;
  /** An already compiled codec module, instead of loading build/codec*.wasm (bundlers, strict CSP). */
  module?: WebAssembly.Module;
}

export const DEFAULT_MAX_MESSAGE_SIZE = 1 << 30;

/** A new Codec with its own WASM instance; the module is compiled once per build. */
export async function loadCodec(options: CodecOptions = {}): Promise<Codec> {
  const build = options.build ?? "release";
  if (build !== "release" && build !== "debug") throw new InterfaceError(`unknown codec build ${String(build)}`);
  const maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
  if (!(Number.isInteger(maxMessageSize) && maxMessageSize >= 4 && maxMessageSize <= 0x7fffffff)) {
    throw new InterfaceError(`maxMessageSize must be an integer from 4 to 2147483647, not ${maxMessageSize}`);
  }
  const module = options.module ?? (await compileCodec(build));
  return new Codec(await instantiateCodec(module), maxMessageSize);
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
