// Text on the wire in the session's client_encoding. The driver starts every session in UTF8;
// when a session switches (SET client_encoding), LATIN1 and SQL_ASCII are fully supported and
// other encodings are decoded with TextDecoder but cannot be sent beyond ASCII.

import { InterfaceError } from "../errors.js";
import { decodeUtf8 } from "./utf8.js";

export type DecodeText = (bytes: Uint8Array, start: number, end: number) => string;

export interface TextEncoding {
  /** PostgreSQL's name of the encoding, as client_encoding reports it. */
  readonly name: string;
  readonly decode: DecodeText;
  /** Writes `s` into `out` at `at`; returns the bytes written. `out` has room for 3 bytes per char. */
  encodeInto(s: string, out: Uint8Array, at: number): number;
}

const utf8Encoder = new TextEncoder();

export const UTF8: TextEncoding = {
  name: "UTF8",
  decode: decodeUtf8,
  encodeInto: (s, out, at) => utf8Encoder.encodeInto(s, out.subarray(at)).written,
};

/** ISO 8859-1: every byte is the code point of the same number (not windows-1252). */
export const LATIN1: TextEncoding = {
  name: "LATIN1",
  decode(bytes, start, end) {
    let s = "";
    for (let i = start; i < end; i += 8192) {
      s += String.fromCharCode(...bytes.subarray(i, Math.min(end, i + 8192)));
    }
    return s;
  },
  encodeInto(s, out, at) {
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c > 0xff) {
        throw new InterfaceError(
          `the character '${String.fromCodePoint(s.codePointAt(i)!)}' cannot be sent: the session's client_encoding is LATIN1`,
        );
      }
      out[at + i] = c;
    }
    return s.length;
  },
};

/** PostgreSQL encoding names → WHATWG labels, for decoding only. */
const DECODE_ONLY: Record<string, string> = {
  WIN1252: "windows-1252",
  WIN1250: "windows-1250",
  WIN1251: "windows-1251",
  LATIN2: "iso-8859-2",
  LATIN9: "iso-8859-15",
  KOI8R: "koi8-r",
  EUC_JP: "euc-jp",
  SJIS: "shift_jis",
  GBK: "gbk",
  BIG5: "big5",
  EUC_KR: "euc-kr",
};

export function textEncodingFor(name: string): TextEncoding {
  const upper = name.toUpperCase().replace(/[-_]/g, (c) => (c === "-" ? "" : c));
  if (upper === "UTF8" || upper === "UNICODE") return UTF8;
  // SQL_ASCII sends the database's bytes unconverted; for a UTF8 database that is UTF-8.
  if (upper === "SQL_ASCII" || upper === "SQLASCII") return { ...UTF8, name: "SQL_ASCII" };
  if (upper === "LATIN1" || upper === "ISO88591") return LATIN1;
  const label = DECODE_ONLY[name.toUpperCase()];
  if (label) {
    const decoder = new TextDecoder(label);
    return {
      name,
      decode: (bytes, start, end) => decoder.decode(bytes.subarray(start, end)),
      encodeInto(s, out, at) {
        for (let i = 0; i < s.length; i++) {
          const c = s.charCodeAt(i);
          if (c > 0x7f) {
            throw new InterfaceError(`only ASCII text can be sent with client_encoding ${name}; use UTF8`);
          }
          out[at + i] = c;
        }
        return s.length;
      },
    };
  }
  return {
    name,
    decode: UTF8.decode,
    encodeInto() {
      throw new InterfaceError(`client_encoding ${name} is not supported; use UTF8`);
    },
  };
}
