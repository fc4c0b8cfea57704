// Turns the error the WASM codec recorded in its state block into an InterfaceError message.

import { InterfaceError } from "../errors.js";
import { BAD_VALUE_REASONS, Err, kindName, wireSize } from "./layout.js";

const MALFORMED = "malformed message from server";

export function codecFailure(code: number, a: number, b: number, c: number): InterfaceError {
  return new InterfaceError(describe(code, a, b, c));
}

function describe(code: number, a: number, b: number, c: number): string {
  switch (code) {
    case Err.BadLength:
      return `${MALFORMED}: length ${b} for message type ${typeName(a)}`;
    case Err.UnknownType:
      return `${MALFORMED}: unknown message type ${hex(a)}`;
    case Err.TooLarge:
      return `message from server too large: length ${b} for message type ${typeName(a)} exceeds maxMessageSize ${c}`;
    case Err.DataRowTooShort:
      return `${MALFORMED}: DataRow body of ${a} bytes has no field count`;
    case Err.FieldOverrun:
      return b < 0
        ? `${MALFORMED}: DataRow field length exceeds message (field ${a} has no length word)`
        : `${MALFORMED}: DataRow field length exceeds message (field ${a}, length ${b})`;
    case Err.NegativeFieldLength:
      return `${MALFORMED}: DataRow field ${a} has length ${b}`;
    case Err.TrailingBytes:
      return `${MALFORMED}: DataRow has ${a} bytes after its last field`;
    case Err.PlanMismatch:
      return `${MALFORMED}: DataRow has ${a} fields but the decode plan has ${b} columns`;
    case Err.WrongWidth:
      return `${MALFORMED}: DataRow field ${a} has length ${b}, binary ${kindName(c)} needs ${wireSize(c)}`;
    case Err.BadValue:
      return `${MALFORMED}: DataRow field ${a} is not a valid binary ${kindName(b)}: ${BAD_VALUE_REASONS[c] ?? `reason ${c}`}`;
    case Err.OutOfMemory:
      return `the codec could not grow its memory to ${(b >>> 0) * 2 ** 32 + (a >>> 0)} bytes`;
    case Err.BadPlan:
      return b < 0
        ? `a decode plan of ${a} columns does not fit the plan region`
        : `invalid decode plan: column ${a} has kind ${b}`;
    default:
      return `the codec failed with unknown error code ${code}`;
  }
}

/** 'D' for printable type bytes, 0x7f style otherwise. */
function typeName(type: number): string {
  return type > 0x20 && type < 0x7f ? `'${String.fromCharCode(type)}'` : hex(type);
}

function hex(byte: number): string {
  return `0x${byte.toString(16).padStart(2, "0")}`;
}
