// Small helpers: medians, formatting, a forced GC between timed runs.

import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

export function median(xs) {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function spread(xs) {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return s.length ? { min: s[0], max: s[s.length - 1] } : { min: NaN, max: NaN };
}

/** A gc() that works without --expose-gc on the command line. */
export const gc = (() => {
  if (typeof globalThis.gc === "function") return globalThis.gc;
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc");
})();

export function fmtMs(ms) {
  if (!Number.isFinite(ms)) return "–";
  if (ms >= 10000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

export function fmtRatio(r) {
  return Number.isFinite(r) ? `${r.toFixed(2)}×` : "–";
}

export function fmtMB(bytes) {
  return Number.isFinite(bytes) ? `${(bytes / 1048576).toFixed(1)} MB` : "–";
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
