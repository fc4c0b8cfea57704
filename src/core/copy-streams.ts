// The stream kinds COPY accepts, reduced to two shapes: a source is an async iterable of
// chunks; a sink is a function that takes a chunk and may return a promise (backpressure).
// Node streams are recognised by shape, so this file imports nothing from Node.

import { InterfaceError } from "../errors.js";

export type CopyChunk = string | Uint8Array;

/** Node Readable/WHATWG ReadableStream/(async) iterable of chunks/a string/bytes → async iterable. */
export function copySource(stream: unknown): AsyncIterable<CopyChunk> {
  if (typeof stream === "string" || stream instanceof Uint8Array) {
    return (async function* () {
      yield stream;
    })();
  }
  if (stream instanceof ArrayBuffer) return copySource(new Uint8Array(stream));
  if (isWhatwgReadable(stream)) return readWhatwg(stream);
  if (stream !== null && typeof stream === "object") {
    if (Symbol.asyncIterator in stream) return chunksOf(stream as AsyncIterable<unknown>);
    if (Symbol.iterator in stream) return chunksOf(stream as Iterable<unknown>);
  }
  throw new InterfaceError(
    "the COPY FROM STDIN 'stream' must be a string, bytes, an (async) iterable of strings or bytes, " +
      `a Node Readable or a WHATWG ReadableStream; got ${describe(stream)}`,
  );
}

async function* chunksOf(items: AsyncIterable<unknown> | Iterable<unknown>): AsyncIterable<CopyChunk> {
  for await (const item of items) yield asChunk(item);
}

async function* readWhatwg(stream: ReadableStream<unknown>): AsyncIterable<CopyChunk> {
  const reader = stream.getReader();
  let ended = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        ended = true;
        return;
      }
      yield asChunk(value);
    }
  } finally {
    // Left early (the COPY failed or the connection died): tell the producer to stop.
    if (!ended) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

function asChunk(item: unknown): CopyChunk {
  if (typeof item === "string" || item instanceof Uint8Array) return item;
  if (item instanceof ArrayBuffer) return new Uint8Array(item);
  if (ArrayBuffer.isView(item)) return new Uint8Array(item.buffer, item.byteOffset, item.byteLength);
  throw new InterfaceError(`a COPY FROM STDIN source yielded ${describe(item)}; only strings and bytes can be sent`);
}

function isWhatwgReadable(s: unknown): s is ReadableStream<unknown> {
  return (
    typeof (s as ReadableStream | null)?.getReader === "function" &&
    typeof (s as { pipe?: unknown }).pipe !== "function"
  );
}

/**
 * Where COPY OUT data goes. write() may return a promise meaning "wait before writing more";
 * finished() resolves once everything written has been accepted by the destination.
 */
export interface CopySink {
  write(chunk: Uint8Array): void | Promise<void>;
  finished(): Promise<void>;
}

interface NodeWritableLike {
  write(chunk: Uint8Array, callback?: (err?: Error | null) => void): boolean;
  once(event: "drain", listener: () => void): unknown;
}

/** Node Writable / WHATWG WritableStream / { write(chunk) } → CopySink. Chunks are copies the sink may keep. */
export function copySink(stream: unknown): CopySink {
  if (stream !== null && typeof stream === "object") {
    if (typeof (stream as WritableStream).getWriter === "function")
      return whatwgSink(stream as WritableStream<Uint8Array>);
    const node = stream as NodeWritableLike;
    if (typeof node.write === "function" && typeof node.once === "function") return nodeSink(node);
    if (typeof (stream as { write?: unknown }).write === "function") {
      const target = stream as { write(chunk: Uint8Array): unknown };
      let last: Promise<unknown> = Promise.resolve();
      return {
        write(chunk) {
          const result = target.write(chunk);
          if (result instanceof Promise) {
            last = result;
            return result.then(() => undefined);
          }
          return undefined;
        },
        finished: () => last.then(() => undefined),
      };
    }
  }
  throw new InterfaceError(
    `the COPY TO STDOUT 'stream' must be a Node Writable, a WHATWG WritableStream or an object with write(chunk); got ${describe(stream)}`,
  );
}

function whatwgSink(stream: WritableStream<Uint8Array>): CopySink {
  const writer = stream.getWriter();
  let last: Promise<void> = Promise.resolve();
  return {
    async write(chunk) {
      await writer.ready;
      last = writer.write(chunk);
      await last;
    },
    async finished() {
      try {
        await last;
      } finally {
        // The stream stays open (the caller may write more); only our lock is given back.
        writer.releaseLock();
      }
    },
  };
}

function nodeSink(node: NodeWritableLike): CopySink {
  let last: Promise<void> = Promise.resolve();
  return {
    write(chunk) {
      let ok!: boolean;
      last = new Promise<void>((resolve, reject) => {
        ok = node.write(chunk, (err) => (err ? reject(err) : resolve()));
      });
      last.catch(() => undefined); // reported through finished() or the next write
      if (ok) return;
      return new Promise<void>((resolve) => node.once("drain", resolve));
    },
    finished: () => last,
  };
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? `an object (${value.constructor?.name ?? "Object"})` : `a ${typeof value}`;
}
