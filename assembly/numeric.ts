// numeric's binary form (numeric_send) → the exact text numeric_out prints, in the value arena.
// PostgreSQL source: src/backend/utils/adt/numeric.c (numeric_send, numeric_recv, get_str_from_var).
//
// Wire: int16 ndigits, int16 weight, uint16 sign, int16 dscale, then ndigits base-10000 digits
// (int16 each). The value is Σ digit[i] × 10000^(weight − i); dscale is how many decimal places
// to print (digits beyond it are cut, missing ones print as 0). The text is up to
// 1 + 4 × 32768 + 1 + 16383 bytes, but zeros that are not stored digits go to the arena as counts
// once there are more than INLINE_ZEROS of them, so no value takes more than 24 + 4 × ndigits
// arena bytes or so (see the padded form below).

import { Bad } from "./state";
import { ARENA_FULL, arenaAlloc } from "./arena";
import { bad } from "./values";
import { DECIMAL_PAIRS } from "./decode";

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

  // The text: sign, the integer part's stored digits, `intZeros` zeros, then if dscale > 0 a ".",
  // `lead` zeros, the fraction's stored digits and `trail` zeros. The zeros stand for digits that
  // are not stored (they cost no input bytes), so long runs of them go to the arena as counts that
  // JS expands: the arena stays proportional to the input whatever the weight and dscale.
  const last = ndigits - 1; // the last stored digit (-1 for zero)
  let intEnd = 0; // the integer part's text groups are d = 0 … intEnd
  let intZeros = 0;
  let headLen = sign == NUMERIC_NEG ? 1 : 0;
  if (weight < 0) {
    headLen += 1; // "0"
  } else {
    intEnd = min(weight, max(last, 0));
    intZeros = (weight - intEnd) << 2;
    const first = digitAt(digits, ndigits, 0);
    headLen += (first >= 1000 ? 4 : first >= 100 ? 3 : first >= 10 ? 2 : 1) + (intEnd << 2);
  }
  const fracStart = max(weight + 1, 0); // first stored group of the fraction
  const lead = weight + 1 < 0 ? <i32>min<i64>(<i64>dscale, -(<i64>weight + 1) << 2) : 0;
  const fracLen = max(0, min(dscale - lead, (last - fracStart + 1) << 2));
  const trail = dscale - lead - fracLen;
  const zeros = intZeros + lead + trail;
  // A negative value whose printed digits are all zero (its digits lie beyond dscale) prints as
  // zero without the sign, as the server would store it (numeric_recv's trunc_var, then zero is
  // positive). Stripped, the first stored digit is not 0, so only a value below 1 can be one.
  if (sign == NUMERIC_NEG && weight < 0) {
    const first = digitAt(digits, ndigits, 0);
    if (fracLen == 0 || (fracLen < 4 && first / (fracLen == 1 ? 1000 : fracLen == 2 ? 100 : 10) == 0)) {
      sign = NUMERIC_POS;
      headLen--;
    }
  }

  if (zeros <= INLINE_ZEROS) {
    const size = headLen + intZeros + (dscale > 0 ? 1 + dscale : 0);
    const out = arenaAlloc(<u64>size, 1);
    if (out == 0) return ARENA_FULL;
    let p = zeros0(writeHead(out, sign, weight, intEnd, digits, ndigits), intZeros);
    if (dscale > 0) {
      store<u8>(p++, 0x2e);
      p = zeros0(writeFraction(zeros0(p, lead), fracStart, fracLen, digits, ndigits), trail);
    }
    assert(p == out + <usize>size);
    store<i32>(dst, <i32>out);
    store<i32>(dst, size, 4);
    return 0;
  }

  // Padded form, (address, -1) in the slot: i32 intZeros, lead, trail, headLen, fracLen, has-dot,
  // then the head text (sign and integer digits) and the fraction digits.
  const out = arenaAlloc(<u64>(24 + headLen + fracLen), 4);
  if (out == 0) return ARENA_FULL;
  store<i32>(out, intZeros);
  store<i32>(out, lead, 4);
  store<i32>(out, trail, 8);
  store<i32>(out, headLen, 12);
  store<i32>(out, fracLen, 16);
  store<i32>(out, dscale > 0 ? 1 : 0, 20);
  const p = writeHead(out + 24, sign, weight, intEnd, digits, ndigits);
  const end = writeFraction(p, fracStart, fracLen, digits, ndigits);
  assert(end == out + 24 + <usize>(headLen + fracLen));
  store<i32>(dst, <i32>out);
  store<i32>(dst, -1, 4);
  return 0;
}

/** `n` (at most INLINE_ZEROS) ASCII zeros: a loop, cheaper than memory.fill for so few. */
// @ts-ignore: decorator
@inline function zeros0(p: usize, n: i32): usize {
  const end = p + <usize>n;
  while (p < end) store<u8>(p++, 0x30);
  return p;
}

/** Zero runs up to this long are written out; longer ones make the padded form. */
const INLINE_ZEROS = 32;

/** Sign and the integer part's digits from stored groups 0 … intEnd (the first without leading zeros). */
function writeHead(p: usize, sign: i32, weight: i32, intEnd: i32, digits: usize, ndigits: i32): usize {
  if (sign == NUMERIC_NEG) store<u8>(p++, 0x2d);
  if (weight < 0) {
    store<u8>(p++, 0x30);
    return p;
  }
  const first = digitAt(digits, ndigits, 0);
  if (first >= 1000) store<u8>(p++, <u8>(0x30 + first / 1000));
  if (first >= 100) store<u8>(p++, <u8>(0x30 + (first / 100) % 10));
  if (first >= 10) store<u8>(p++, <u8>(0x30 + (first / 10) % 10));
  store<u8>(p++, <u8>(0x30 + first % 10));
  for (let d = 1; d <= intEnd; d++) p = fourDigits(p, digitAt(digits, ndigits, d));
  return p;
}

/** `count` fraction digits from stored group `d` on: whole groups, then the last one cut short. */
function writeFraction(p: usize, d: i32, count: i32, digits: usize, ndigits: i32): usize {
  const end = p + <usize>count;
  for (; end - p >= 4; d++) p = fourDigits(p, digitAt(digits, ndigits, d));
  if (p < end) {
    const dig = digitAt(digits, ndigits, d);
    for (let div = 1000; p < end; div /= 10) store<u8>(p++, <u8>(0x30 + (dig / div) % 10));
  }
  return p;
}

// @ts-ignore: decorator
@inline function fourDigits(p: usize, dig: i32): usize {
  store<u16>(p, load<u16>(DECIMAL_PAIRS + (<usize>(dig / 100) << 1)), 0, 1);
  store<u16>(p, load<u16>(DECIMAL_PAIRS + (<usize>(dig % 100) << 1)), 2, 1);
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
