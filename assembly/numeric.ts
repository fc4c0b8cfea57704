// numeric's binary form (numeric_send) → the exact text numeric_out prints, in the value arena.
// PostgreSQL source: src/backend/utils/adt/numeric.c (numeric_send, numeric_recv, get_str_from_var).
//
// Wire: int16 ndigits, int16 weight, uint16 sign, int16 dscale, then ndigits base-10000 digits
// (int16 each). The value is Σ digit[i] × 10000^(weight − i); dscale is how many decimal places
// to print (digits beyond it are cut, missing ones print as 0). The text is at most
// 1 + 4 × 32768 + 1 + 16383 bytes: what the server itself would send for it in text format.

import { Bad } from "./state";
import { ARENA_FULL, arenaAlloc } from "./arena";
import { bad } from "./values";

const NUMERIC_POS = 0x0000;
const NUMERIC_NEG = 0x4000;
const NUMERIC_NAN = 0xc000;
const NUMERIC_PINF = 0xd000;
const NUMERIC_NINF = 0xf000;
const NBASE = 10000;
const DSCALE_MAX = 0x3fff;

// @ts-ignore: decorator
@inline function be16(p: usize): i32 {
  return <i32>bswap<u16>(load<u16>(p, 0, 1));
}

// @ts-ignore: decorator
@inline function digitAt(digits: usize, ndigits: i32, d: i32): i32 {
  return d >= 0 && d < ndigits ? be16(digits + (<usize>d << 1)) : 0;
}

/** Writes the text of the numeric at `src` (`length` bytes) to the arena; (address, length) to `dst`. */
export function decodeNumeric(src: usize, length: i32, dst: usize): i32 {
  if (length < 8) return bad(Bad.NumericLength);
  let ndigits = be16(src);
  let weight = <i32><i16>be16(src + 2);
  let sign = be16(src + 4);
  const dscale = be16(src + 6);
  if (length != 8 + (ndigits << 1)) return bad(Bad.NumericLength);
  if (sign != NUMERIC_POS && sign != NUMERIC_NEG && sign != NUMERIC_NAN && sign != NUMERIC_PINF && sign != NUMERIC_NINF) {
    return bad(Bad.NumericSign);
  }
  if (dscale > DSCALE_MAX) return bad(Bad.NumericScale);
  let digits = src + 8;
  for (let i = 0; i < ndigits; i++) {
    if (be16(digits + (<usize>i << 1)) >= NBASE) return bad(Bad.NumericDigit);
  }
  if (sign == NUMERIC_NAN) return special(dst, "NaN");
  if (sign == NUMERIC_PINF) return special(dst, "Infinity");
  if (sign == NUMERIC_NINF) return special(dst, "-Infinity");

  // What the server stores (make_result/strip_var): no leading or trailing zero digits, and
  // zero is positive with weight 0. Its own sends are already like this.
  while (ndigits > 0 && be16(digits) == 0) {
    digits += 2;
    ndigits--;
    weight--;
  }
  while (ndigits > 0 && be16(digits + (<usize>(ndigits - 1) << 1)) == 0) ndigits--;
  if (ndigits == 0) {
    weight = 0;
    sign = NUMERIC_POS;
  }

  // The exact length first, so the arena is asked once.
  let size = sign == NUMERIC_NEG ? 1 : 0;
  if (weight < 0) {
    size += 1;
  } else {
    const first = digitAt(digits, ndigits, 0);
    size += (first >= 1000 ? 4 : first >= 100 ? 3 : first >= 10 ? 2 : 1) + (weight << 2);
  }
  if (dscale > 0) size += 1 + dscale;
  const out = arenaAlloc(<u64>size, 1);
  if (out == 0) return ARENA_FULL;

  let p = out;
  if (sign == NUMERIC_NEG) store<u8>(p++, 0x2d);
  let d: i32;
  if (weight < 0) {
    store<u8>(p++, 0x30);
    d = weight + 1;
  } else {
    // The first digit without leading zeros, then four decimal digits per base-10000 digit.
    const first = digitAt(digits, ndigits, 0);
    if (first >= 1000) store<u8>(p++, <u8>(0x30 + first / 1000));
    if (first >= 100) store<u8>(p++, <u8>(0x30 + (first / 100) % 10));
    if (first >= 10) store<u8>(p++, <u8>(0x30 + (first / 10) % 10));
    store<u8>(p++, <u8>(0x30 + first % 10));
    for (d = 1; d <= weight; d++) {
      p = fourDigits(p, digitAt(digits, ndigits, d));
    }
  }
  if (dscale > 0) {
    store<u8>(p++, 0x2e);
    const end = p + <usize>dscale;
    // Whole groups of four, then the last group cut to what dscale leaves.
    for (; end - p >= 4; d++) p = fourDigits(p, digitAt(digits, ndigits, d));
    if (p < end) {
      let dig = digitAt(digits, ndigits, d);
      let div = 1000;
      for (; p < end; div /= 10) {
        store<u8>(p++, <u8>(0x30 + (dig / div) % 10));
      }
    }
  }
  assert(p == out + <usize>size);
  store<i32>(dst, <i32>out);
  store<i32>(dst, size, 4);
  return 0;
}

// @ts-ignore: decorator
@inline function fourDigits(p: usize, dig: i32): usize {
  store<u8>(p, <u8>(0x30 + dig / 1000));
  store<u8>(p, <u8>(0x30 + (dig / 100) % 10), 1);
  store<u8>(p, <u8>(0x30 + (dig / 10) % 10), 2);
  store<u8>(p, <u8>(0x30 + dig % 10), 3);
  return p + 4;
}

/** NaN / Infinity / -Infinity: ASCII, written from the AS string's UTF-16 units. */
function special(dst: usize, text: string): i32 {
  const n = text.length;
  const out = arenaAlloc(<u64>n, 1);
  if (out == 0) return ARENA_FULL;
  for (let i = 0; i < n; i++) store<u8>(out + <usize>i, <u8>text.charCodeAt(i));
  store<i32>(dst, <i32>out);
  store<i32>(dst, n, 4);
  return 0;
}
