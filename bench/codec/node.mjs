// Codec microbenchmark in Node: `node bench/codec/node.mjs <capture dir> [iterations]`.
// Prints progress on stderr and the results as one JSON line on stdout.

import { createRequire } from "node:module";
import { loadCodec } from "../../dist/codec/index.js";
import { RowDecoder } from "../../dist/core/rows.js";
import { readRowDescription } from "../../dist/protocol/messages.js";
import { decodeUtf8 } from "../../dist/protocol/utf8.js";
import { TypeRegistry } from "../../dist/types/registry.js";
import { gc } from "../lib/stats.mjs";
import { loadCapture } from "./capture.mjs";
import { runCodecBench } from "./core.mjs";

const require = createRequire(import.meta.url);
const { Parser } = require("pg-protocol/dist/parser.js");
const Result = require("pg/lib/result.js");

const dir = process.argv[2];
const iterations = Number(process.argv[3] ?? 15);
const captures = ["text", "binary"].map((name) => loadCapture(dir, name));
const env = {
  loadCodec,
  RowDecoder,
  registry: new TypeRegistry(),
  decodeUtf8,
  readRowDescription,
  Parser,
  Result,
  gc,
};
const results = await runCodecBench(env, captures, { iterations, log: (s) => process.stderr.write(`${s}\n`) });
process.stdout.write(`${JSON.stringify({ engine: `Node ${process.version}`, results })}\n`);
