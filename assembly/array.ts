// Arrays' binary form (array_send) → a record in the value arena that JS turns into nested arrays.
// PostgreSQL source: src/backend/utils/adt/arrayfuncs.c (array_send, array_recv, ReadArrayBinary).
//
// Wire: int32 ndim (0 = empty array), int32 has-nulls flag (0/1), int32 element type OID, per
// dimension int32 length and int32 lower bound, then every element in row-major order as
// int32 length (-1 = NULL) and its bytes in the element type's binary form.
//
// Record (8-aligned), its address in the column slot:
//   +0  i32 ndim            0…6
//   +4  i32 n               number of elements (product of the lengths)
//   +8  i32 elements        address of n element slots, COLUMN_SIZE[element kind] bytes apart
//   +12 i32 nulls           address of n bytes (1 = NULL element), or 0 when none is NULL
//   +16 i32 lengths[ndim]   the dimension lengths (lower bounds are dropped, as in the text path)
// Its size is bounded by the field: every element takes at least its 4-byte length word.

import { Bad } from "./state";
import { ARENA_FULL, arenaAlloc } from "./arena";
import { COLUMN_SIZE } from "./plan";
import { bad, decodeScalar, zeroScalar } from "./values";

/** PostgreSQL's MAXDIM. */
const MAX_DIMENSIONS: u32 = 6;

// @ts-ignore: decorator
@inline function be32(p: usize): i32 {
  return bswap<i32>(load<i32>(p, 0, 1));
}

export function decodeArray(element: u32, src: usize, length: i32, dst: usize): i32 {
  const end = src + <usize>length;
  if (length < 12) return bad(Bad.ArrayHeader);
  const ndim = be32(src);
  const flags = be32(src + 4);
  if (<u32>ndim > MAX_DIMENSIONS) return bad(Bad.ArrayDimensions);
  if (<u32>flags > 1) return bad(Bad.ArrayFlags);
  let p = src + 12;
  if (<usize>(ndim << 3) > end - p) return bad(Bad.ArrayHeader);
  const dims = p;
  p += <usize>(ndim << 3);
  // Each element needs at least its length word, which bounds the count by the field's bytes
  // (checked after every factor, so the product never overflows).
  const maxElements = <u64>((end - p) >> 2);
  let n: u64 = ndim == 0 ? 0 : 1;
  for (let i = 0; i < ndim; i++) {
    const dim = be32(dims + (<usize>i << 3));
    const lower = be32(dims + (<usize>i << 3) + 4);
    if (dim < 0) return bad(Bad.ArrayNegativeDimension);
    if (<i64>lower + <i64>dim - 1 > <i64>i32.MAX_VALUE) return bad(Bad.ArrayBound);
    n *= <u64>dim;
    if (n > maxElements) return bad(Bad.ArrayTooManyElements);
  }

  const stride = <usize>load<u8>(COLUMN_SIZE + <usize>element);
  const header = <u64>((16 + (ndim << 2) + 7) & ~7);
  const slots = (n * <u64>stride + 7) & ~<u64>7;
  const record = arenaAlloc(header + slots + n, 8);
  if (record == 0) return ARENA_FULL;
  const elements = record + <usize>header;
  const nulls = elements + <usize>slots;
  const count = <i32>n;
  memory.fill(nulls, 0, <usize>count);
  store<i32>(record, ndim);
  store<i32>(record, count, 4);
  store<i32>(record, <i32>elements, 8);
  for (let i = 0; i < ndim; i++) {
    store<i32>(record + 16 + (<usize>i << 2), be32(dims + (<usize>i << 3)));
  }

  let anyNull = false;
  let slot = elements;
  for (let i = 0; i < count; i++, slot += stride) {
    if (end - p < 4) return bad(Bad.ArrayElementOverrun);
    const size = be32(p);
    p += 4;
    if (size == -1) {
      store<u8>(nulls + <usize>i, 1);
      anyNull = true;
      zeroScalar(element, slot);
      continue;
    }
    if (<usize>size > end - p) return bad(Bad.ArrayElementOverrun); // negative ones too
    const status = decodeScalar(element, p, size, slot);
    if (status != 0) return status;
    p += <usize>size;
  }
  if (p != end) return bad(Bad.ArrayTrailingBytes);
  store<i32>(record, anyNull ? <i32>nulls : 0, 12);
  store<i32>(dst, <i32>record);
  return 0;
}
