// The codec microbenchmark itself, the same code in Node and in Chromium: the captured bytes of
// W1's result are replayed from memory, chunk by chunk as the socket delivered them, through
//   ours: the WASM codec (one call per chunk: framing + binary columns) and the driver's own
//         RowDecoder (dist/core/rows.js), exactly as CoreConnection.processBatch drives them;
//   pg:   pg-protocol's Parser and pg's Result.parseRow (pg-types text parsers), as pg's Query
//         does for rowMode 'array'.
// Two captures: "text" is what node-postgres receives (all columns text format), "binary" is
// what our driver receives for a cached statement (binary where the codec decodes, text for
// text/numeric). Both parsers run on the text capture (identical bytes); ours also runs on its
// own binary capture (pg cannot: it never asks for binary results).
//
// Levels: "frame" = framing only (ours: WASM framing + typed columns; pg: its parse() with a
// no-op callback, which still makes a string per field); "rows" = JS row arrays with JS values.

const D = 0x44;
const T = 0x54;

/** Our receive path on one capture; returns the rows built (or DataRows framed if !rows). */
export function oursReplay(env, capture, codec, buildRows) {
  const { RowDecoder, registry, decodeUtf8, readRowDescription } = env;
  let decoder = capture.columns ? RowDecoder.forBinary(capture.columns, registry, decodeUtf8) : null;
  codec.usePlan(decoder?.plan ?? null);
  const rows = [];
  let framed = 0;
  for (const chunk of capture.chunks) {
    let count = codec.push(chunk);
    for (;;) {
      if (decoder?.plan.decodesAny && buildRows) decoder.refresh(codec);
      for (let i = 0; i < count; i++) {
        const type = codec.frameType(i);
        if (type === D) {
          framed++;
          if (buildRows) {
            decoder.checkFieldCount(codec, i);
            rows.push(decoder.decode(codec, i));
          }
        } else if (type === T) {
          const columns = readRowDescription(codec.bytes, codec.frameOffset(i), codec.frameLength(i), decodeUtf8);
          decoder = RowDecoder.forText(columns, registry, decodeUtf8);
          codec.usePlan(null);
        }
      }
      if (!codec.pending) break;
      count = codec.resume();
    }
  }
  return buildRows ? rows.length : framed;
}

/** pg's receive path on one capture. */
export function pgReplay(env, capture, buildRows) {
  const { Parser, Result } = env;
  const parser = new Parser();
  /** @type {any} pg's Result for the current RowDescription */
  let result = null;
  let framed = 0;
  const rows = [];
  const onMessage = buildRows
    ? (msg) => {
        switch (msg.name) {
          case "rowDescription":
            result = new Result("array");
            result.addFields(msg.fields);
            break;
          case "dataRow":
            framed++;
            rows.push(result.parseRow(msg.fields));
            break;
        }
      }
    : (msg) => {
        if (msg.name === "dataRow") framed++;
      };
  for (const chunk of capture.chunks) parser.parse(chunk, onMessage);
  return buildRows ? rows.length : framed;
}

/**
 * Runs every (parser, capture, level) case `iterations` times, alternating between cases, and
 * returns median milliseconds per pass and MB/s. `log` receives progress lines.
 * @param {any} env
 * @param {any[]} captures
 * @param {{ iterations?: number, warmup?: number, log?: (line: string) => void }} [options]
 */
export async function runCodecBench(env, captures, { iterations = 15, warmup = 3, log = () => {} } = {}) {
  const codec = await env.loadCodec();
  codec.setStopTypes("T2"); // as the driver core: plans change only at batch boundaries
  const cases = [];
  for (const capture of captures) {
    const expected = capture.rows;
    cases.push({
      id: `ours/${capture.name}/frame`,
      run: () => oursReplay(env, capture, codec, false),
      expected,
      capture,
    });
    cases.push({
      id: `ours/${capture.name}/rows`,
      run: () => oursReplay(env, capture, codec, true),
      expected,
      capture,
    });
    // pg never receives binary results; its parser on the binary capture would only measure
    // the polyfill's decoding of binary garbage, so it runs on the text capture alone.
    if (capture.hasRowDescription) {
      cases.push({ id: `pg/${capture.name}/frame`, run: () => pgReplay(env, capture, false), expected, capture });
      cases.push({ id: `pg/${capture.name}/rows`, run: () => pgReplay(env, capture, true), expected, capture });
    }
  }
  /** @type {Record<string, number[]>} */
  const samples = Object.fromEntries(cases.map((c) => [c.id, []]));
  for (let it = -warmup; it < iterations; it++) {
    for (const c of cases) {
      env.gc?.();
      const t0 = performance.now();
      const n = c.run();
      const ms = performance.now() - t0;
      if (n !== c.expected) throw new Error(`${c.id}: ${n} rows, expected ${c.expected}`);
      if (it >= 0) samples[c.id].push(ms);
    }
    if (it === -1) log(`codec: warmed up (${cases.length} cases)`);
  }
  /** @type {Record<string, { ms: number, min: number, max: number, mbps: number, rows: number }>} */
  const out = {};
  for (const c of cases) {
    const s = samples[c.id].slice().sort((a, b) => a - b);
    const med = s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    out[c.id] = {
      ms: med,
      min: s[0],
      max: s[s.length - 1],
      mbps: c.capture.bytes / 1048576 / (med / 1000),
      rows: c.expected,
    };
    log(`codec: ${c.id.padEnd(22)} ${med.toFixed(2).padStart(8)} ms  ${out[c.id].mbps.toFixed(0).padStart(5)} MB/s`);
  }
  return out;
}
