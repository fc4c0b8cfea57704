// Ranges' binary form (range_send) → a fixed-size column slot.
// PostgreSQL source: src/backend/utils/adt/rangetypes.c (range_send, range_recv).
//
// Wire: uint8 flags, then unless EMPTY: the lower bound unless LB_INF, the upper bound unless
// UB_INF, each as int32 length and the subtype's binary form.
//
// Slot: i32 flags, i32 0, then lower and upper each in the subtype's slot layout padded to 8
// bytes (zeroed when absent).

import { Bad } from "./state";
import { paddedSize } from "./plan";
import { bad, decodeScalar } from "./values";

const RANGE_EMPTY: u32 = 0x01;
const RANGE_LB_INC: u32 = 0x02;
const RANGE_UB_INC: u32 = 0x04;
const RANGE_LB_INF: u32 = 0x08;
const RANGE_UB_INF: u32 = 0x10;
/** Only set on GiST index entries, never by range_send for a value; harmless to accept. */
const RANGE_CONTAIN_EMPTY: u32 = 0x80;

// @ts-ignore: decorator
@inline function be32(p: usize): i32 {
  return bswap<i32>(load<i32>(p, 0, 1));
}

export function decodeRange(subtype: u32, src: usize, length: i32, dst: usize): i32 {
  if (length < 1) return bad(Bad.RangeLength);
  const flags = <u32>load<u8>(src);
  const known = RANGE_EMPTY | RANGE_LB_INC | RANGE_UB_INC | RANGE_LB_INF | RANGE_UB_INF | RANGE_CONTAIN_EMPTY;
  if ((flags & ~known) != 0) return bad(Bad.RangeFlags);
  const padded = paddedSize(subtype);
  memory.fill(dst, 0, 8 + (padded << 1));
  store<i32>(dst, <i32>(flags & ~RANGE_CONTAIN_EMPTY));
  const end = src + <usize>length;
  let p = src + 1;
  if ((flags & RANGE_EMPTY) == 0) {
    for (let b = 0; b < 2; b++) {
      if ((flags & (b == 0 ? RANGE_LB_INF : RANGE_UB_INF)) != 0) continue;
      if (end - p < 4) return bad(Bad.RangeBound);
      const size = be32(p);
      p += 4;
      if (<usize>size > end - p) return bad(Bad.RangeBound); // NULL (-1) and other negatives too
      const status = decodeScalar(subtype, p, size, dst + 8 + (b == 0 ? 0 : padded));
      if (status != 0) return status;
      p += <usize>size;
    }
  }
  if (p != end) return bad(Bad.RangeTrailingBytes);
  return 0;
}
