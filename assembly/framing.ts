// Framing backend messages into the message and field tables, one linear pass per call.
// PostgreSQL docs: Frontend/Backend Protocol, "Message Formats" (every backend message is a type
// byte and an int32 length that counts itself; DataRow is an int16 field count, then per field an
// int32 length, -1 for NULL, and that many bytes).

import { Err, Slot, fail, get, put } from "./state";
import { MSG_CAP, MSG_STRIDE, growArena, growFields } from "./regions";
import { COLUMN_SIZE, WIRE_SIZE } from "./plan";
import { decodeField, zeroField } from "./decode";
import { decodeValue } from "./values";
import { ARENA_FULL, arenaDone, arenaWanted, resetArena } from "./arena";

/** Per type byte: bit 0 = a known backend message, bit 1 = framing stops after it. */
export const TYPE_FLAGS: usize = memory.data(256, 16);
export const KNOWN: u8 = 1;
export const STOP: u8 = 2;

/** R K S Z T D C E N A I 1 2 3 n s t c d G H W v V */
const KNOWN_TYPES: usize = memory.data<u8>([
  0x52, 0x4b, 0x53, 0x5a, 0x54, 0x44, 0x43, 0x45, 0x4e, 0x41, 0x49, 0x31,
  0x32, 0x33, 0x6e, 0x73, 0x74, 0x63, 0x64, 0x47, 0x48, 0x57, 0x76, 0x56,
]);
const KNOWN_TYPE_COUNT = 24;
const DATA_ROW: u8 = 0x44;

export function initTypeFlags(): void {
  for (let i = 0; i < KNOWN_TYPE_COUNT; i++) {
    store<u8>(TYPE_FLAGS + <usize>load<u8>(KNOWN_TYPES + <usize>i), KNOWN);
  }
}

// @ts-ignore: decorator
@inline function be32(p: usize): i32 {
  return bswap<i32>(load<i32>(p, 0, 1));
}

/** Field count of a first row that did not fit the field table (frameBatch returned GROW_FIELDS). */
let wantedFields = 0;
const GROW_FIELDS = -2;
/** A first row's values did not fit the value arena (arenaWanted() says how much they need). */
const GROW_ARENA = -3;

/**
 * Frames complete messages from Slot.InPos on, as a new batch. Returns the number framed, or -1
 * after recording an error. Stops early (Pending) when a table is full or after a stop type.
 */
export function frame(): i32 {
  if (get(Slot.Error) != Err.None) return -1;
  let count = framePass();
  // A first row in its batch that is wider than the whole field table, or whose values do not
  // fit the arena: grow (nothing of this batch exists yet, so moving the input is safe) and frame
  // again. The arena at least doubles each round, and a row needs a bounded amount.
  while (count == GROW_FIELDS || count == GROW_ARENA) {
    if (!(count == GROW_FIELDS ? growFields(wantedFields) : growArena(arenaWanted()))) return -1;
    count = framePass();
  }
  return count;
}

// Three copies of the loop, so rows without typed columns carry no decoding in their hot path,
// and rows of only fixed-width columns no out-of-line pass (each function stays small enough
// for the engine to keep its locals in registers).
function framePass(): i32 {
  if (get(Slot.RowBytes) == 0) return framePlain();
  return get(Slot.PlanOutOfLine) == 0 ? frameDecoding() : frameDecodingOutOfLine();
}

function framePlain(): i32 {
  return frameBatch(false, false);
}

function frameDecoding(): i32 {
  return frameBatch(true, false);
}

function frameDecodingOutOfLine(): i32 {
  return frameBatch(true, true);
}

// @ts-ignore: decorator
@inline function frameBatch(decode: bool, outOfLine: bool): i32 {
  const base = <usize>get(Slot.InBase);
  let p = base + <usize>get(Slot.InPos);
  const end = base + <usize>get(Slot.InLen);
  const maxBody = <u32>(get(Slot.MaxMessage) - 4);
  const planLen = get(Slot.PlanLen);
  const rowCap = get(Slot.RowCap);
  const fields = <usize>get(Slot.FieldBase);
  const fieldsEnd = fields + (<usize>get(Slot.FieldCap) << 3);
  const msgs = <usize>get(Slot.MsgBase);
  const msgsEnd = msgs + MSG_CAP * MSG_STRIDE * 4;
  let entry = msgs;
  let out = fields;
  let nRow = 0;
  let stopped = false;
  if (outOfLine) resetArena();

  while (end - p >= 5) {
    const type = <u32>load<u8>(p);
    const length = be32(p + 1);
    const flags = load<u8>(TYPE_FLAGS + <usize>type);
    // One unsigned compare catches lengths below 4 (they wrap) and above the limit.
    if (<u32>(length - 4) > maxBody || (flags & KNOWN) == 0) return headerError(type, length);
    if (<usize>length > end - p - 1) break; // the rest has not arrived yet
    if (entry == msgsEnd) {
      stopped = true;
      break;
    }
    const body = p + 5;
    const bodyEnd = p + 1 + <usize>length;
    if (type == DATA_ROW) {
      if (length < 6) return fail(Err.DataRowTooShort, length - 4);
      const n = <i32>bswap<u16>(load<u16>(body, 0, 1));
      if (planLen >= 0 && n != planLen) return fail(Err.PlanMismatch, n, planLen);
      if (decode && nRow == rowCap) { // without typed columns the message table is the limit
        stopped = true;
        break;
      }
      if (<usize>n > (fieldsEnd - out) >> 3) {
        if (entry != msgs) {
          stopped = true;
          break;
        }
        wantedFields = n;
        return GROW_FIELDS;
      }
      const last = decode
        ? frameDecodedFields(body + 2, bodyEnd, n, out, nRow)
        : frameFields(body + 2, bodyEnd, n, out);
      if (last != bodyEnd) return last == 0 ? -1 : fail(Err.TrailingBytes, <i32>(bodyEnd - last));
      if (outOfLine) {
        const status = decodeOutOfLine(out, nRow);
        if (status != 0) {
          if (status != ARENA_FULL) return -1;
          // This row ends the batch unframed; the next batch starts with it (and resets the arena).
          if (entry == msgs) return GROW_ARENA;
          stopped = true;
          break;
        }
      }
      store<i32>(entry, <i32>((out - fields) >> 3), 12);
      store<i32>(entry, n, 16);
      store<i32>(entry, nRow, 20);
      out += <usize>n << 3;
      nRow++;
    } else {
      store<i32>(entry, -1, 12);
      store<i32>(entry, -1, 16);
      store<i32>(entry, -1, 20);
    }
    store<i32>(entry, type);
    store<i32>(entry, <i32>body, 4);
    store<i32>(entry, length - 4, 8);
    entry += MSG_STRIDE * 4;
    assert(bodyEnd <= end);
    p = bodyEnd;
    if (flags & STOP) {
      stopped = true;
      break;
    }
  }

  // Every early stop has framed something, so a resume loop always makes progress.
  assert(!stopped || entry != msgs);
  const count = <i32>((entry - msgs) / (MSG_STRIDE * 4));
  if (outOfLine) arenaDone();
  put(Slot.InPos, <i32>(p - base));
  put(Slot.MsgCount, count);
  put(Slot.FieldCount, <i32>((out - fields) >> 3));
  put(Slot.RowCount, nRow);
  put(Slot.Pending, stopped && nextIsComplete(p, end) ? 1 : 0);
  return count;
}

/** Records which header check failed, in the order a reader would name them. */
function headerError(type: u32, length: i32): i32 {
  if ((load<u8>(TYPE_FLAGS + <usize>type) & KNOWN) == 0) return fail(Err.UnknownType, type);
  if (length < 4) return fail(Err.BadLength, type, length);
  return fail(Err.TooLarge, type, length, get(Slot.MaxMessage));
}

/** Whether a whole message (or a malformed or oversized header, which the next call reports) is waiting at p. */
function nextIsComplete(p: usize, end: usize): bool {
  if (end - p < 5) return false;
  const length = be32(p + 1);
  // A header the next call refuses counts as complete: waiting for its body could take forever.
  return length < 4 || length > get(Slot.MaxMessage) || <usize>length <= end - p - 1;
}

/**
 * Writes the field-table entries of one DataRow's n fields, found from q on, to `out`. Returns
 * where the last field ends (the caller checks that is the body's end), or 0 after an error.
 */
// @ts-ignore: decorator
@inline function frameFields(q: usize, bodyEnd: usize, n: i32, out: usize): usize {
  for (let k = 0; k < n; k++) {
    if (bodyEnd - q < 4) return missingLengthError(k);
    const length = be32(q);
    q += 4;
    store<i32>(out, <i32>q);
    store<i32>(out, length, 4);
    out += 8;
    // Unsigned: a negative length lands here too, and only -1 (NULL) is allowed.
    if (<usize>length > bodyEnd - q) {
      if (length != -1) return fieldError(k, length);
      continue;
    }
    q += <usize>length;
  }
  return q;
}

/**
 * frameFields() that also decodes the plan's hot-path columns into row `row` (the out-of-line ones
 * are Text here and decoded by decodeOutOfLine() once the row is framed).
 */
// @ts-ignore: decorator
@inline function frameDecodedFields(q: usize, bodyEnd: usize, n: i32, out: usize, row: i32): usize {
  const kinds = <usize>get(Slot.PlanHotKinds);
  const addrs = <usize>get(Slot.PlanAddrs);
  for (let k = 0; k < n; k++) {
    if (bodyEnd - q < 4) return missingLengthError(k);
    const length = be32(q);
    q += 4;
    store<i32>(out, <i32>q);
    store<i32>(out, length, 4);
    out += 8;
    const kind = <u32>load<u8>(kinds + <usize>k);
    if (<usize>length > bodyEnd - q) {
      if (length != -1) return fieldError(k, length);
      if (kind != 0) zeroField(kind, columnSlot(addrs, k, kind, row));
      continue;
    }
    if (kind != 0) {
      if (length != <i32>load<u8>(WIRE_SIZE + <usize>kind)) return widthError(k, length, kind);
      decodeField(kind, q, columnSlot(addrs, k, kind, row));
    }
    q += <usize>length;
  }
  return q;
}

// Error paths stay out of line so the loops above keep their registers.

function missingLengthError(k: i32): usize {
  fail(Err.FieldOverrun, k, -1);
  return 0;
}

function fieldError(k: i32, length: i32): usize {
  fail(length < 0 ? Err.NegativeFieldLength : Err.FieldOverrun, k, length);
  return 0;
}

function widthError(k: i32, length: i32, kind: u32): usize {
  fail(Err.WrongWidth, k, length, kind);
  return 0;
}

/**
 * Decodes the out-of-line columns (./values.ts) of a framed row whose field-table entries start
 * at `fields`: a second pass, so the per-field loop above stays free of calls. Returns 0, -1
 * after an error, or ARENA_FULL.
 */
function decodeOutOfLine(fields: usize, row: i32): i32 {
  const kinds = <usize>get(Slot.PlanKinds);
  const addrs = <usize>get(Slot.PlanAddrs);
  const columns = <usize>get(Slot.PlanOutColumns);
  const count = get(Slot.PlanOutOfLine);
  for (let i = 0; i < count; i++) {
    const k = load<i32>(columns + (<usize>i << 2));
    const kind = <u32>load<u8>(kinds + <usize>k);
    const slot = columnSlot(addrs, k, kind, row);
    const entry = fields + (<usize>k << 3);
    const length = load<i32>(entry, 4);
    if (length < 0) {
      zeroField(kind, slot);
      continue;
    }
    const status = decodeValue(k, kind, <usize>load<i32>(entry), length, slot);
    if (status != 0) return status;
  }
  return 0;
}

// @ts-ignore: decorator
@inline function columnSlot(addrs: usize, column: i32, kind: u32, row: i32): usize {
  return <usize>load<i32>(addrs + (<usize>column << 2)) + <usize>row * <usize>load<u8>(COLUMN_SIZE + <usize>kind);
}
