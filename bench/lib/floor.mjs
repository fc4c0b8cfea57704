// The floor under W1 for any JS driver: the same JS values W1 returns (row arrays of int4 → number,
// int8 → BigInt, float8 → number, text → string, timestamptz → Date, numeric → string,
// bool → boolean) made with no driver, no socket and no protocol, from bytes already in memory
// (strings sliced out of one buffer, as from a socket chunk): what is left is allocating the
// values and the garbage collector's work on them. W1 runs it as its "js-floor" client.

/** A function that materialises `rows` W1 rows and returns how many it made. */
export function w1Floor(rows) {
  const parts = [];
  const offsets = new Int32Array(rows * 2 + 1);
  let at = 0;
  for (let i = 1; i <= rows; i++) {
    const o = (i - 1) * 2;
    const email = Buffer.from(`user_${i}@example.com`);
    const numeric = Buffer.from((i * 0.37).toFixed(2));
    offsets[o] = at;
    offsets[o + 1] = at + email.length;
    at += email.length + numeric.length;
    parts.push(email, numeric);
  }
  offsets[rows * 2] = at;
  const bytes = Buffer.concat(parts);
  const base = Date.UTC(2024, 0, 1);
  /** @type {(this: Buffer, start: number, end: number) => string} */
  const utf8Slice = /** @type {any} */ (Buffer.prototype).utf8Slice;
  /** @type {unknown[][] | null} the last result stays alive until the next run, as a driver's would */
  let kept = null;
  return () => {
    kept = null;
    const out = new Array(rows);
    for (let r = 0; r < rows; r++) {
      const i = r + 1;
      const o = r * 2;
      out[r] = [
        i,
        BigInt(i) * 1000003n,
        Math.sqrt(i),
        utf8Slice.call(bytes, offsets[o], offsets[o + 1]),
        new Date(base + i * 1123),
        utf8Slice.call(bytes, offsets[o + 1], offsets[o + 2]),
        i % 2 === 0,
      ];
    }
    kept = out;
    return kept.length;
  };
}
