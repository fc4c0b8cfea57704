// UTC offsets of the session's TimeZone, for timestamptz text printed in the SQL, Postgres and
// German DateStyles: those print a zone abbreviation ("EST", "CET", "LMT", "+03") instead of a
// numeric offset, and an abbreviation alone is ambiguous ("IST" is India, Ireland or Israel;
// with TimeZone 'UTC+5' PostgreSQL prints "UTC" for an offset of -5 hours). So the offset comes
// from the session's zone itself — via Intl.DateTimeFormat, which works in Node and browsers —
// and the abbreviation only decides between the two instants of a DST fall-back overlap.
//
// The client's time zone database (ICU's) must agree with the server's for this to be exact;
// DateStyle ISO, which the driver sets at startup, prints numeric offsets and needs none of it.

const SECOND = 1000;
const HOUR = 3600 * SECOND;
const DAY = 24 * HOUR;
/** Largest |milliseconds| a JS Date (and so Intl) accepts. */
const MAX_DATE_MS = 8.64e15;

/** Gives the zone's offset from UTC in milliseconds at an instant, or undefined if unknown. */
type OffsetAt = (utcMs: number) => number;

const zones = new Map<string, OffsetAt | null>();

/** The offset function of a zone name as PostgreSQL reports TimeZone, or null if unknown here. */
function zone(name: string): OffsetAt | null {
  let z = zones.get(name);
  if (z === undefined) {
    z = intlZone(name) ?? posixFixedZone(name);
    if (zones.size > 64) zones.clear(); // names come from the server; keep the cache small
    zones.set(name, z);
  }
  return z;
}

function intlZone(name: string): OffsetAt | null {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat("en-US", { timeZone: name, timeZoneName: "longOffset" });
  } catch {
    return null; // RangeError: not an IANA name this runtime knows
  }
  return (utcMs) => {
    const clamped = Math.max(-MAX_DATE_MS, Math.min(MAX_DATE_MS, utcMs));
    const part = format.formatToParts(clamped).find((p) => p.type === "timeZoneName")?.value ?? "GMT";
    return parseGmtOffset(part) ?? 0;
  };
}

/** "GMT", "GMT+05:30", "GMT-04:56:02" → milliseconds east of UTC. */
function parseGmtOffset(text: string): number | undefined {
  const m = /^(?:GMT|UTC)(?:([+-])(\d{1,2})(?::?(\d\d))?(?::?(\d\d))?)?$/.exec(text);
  if (m === null) return undefined;
  if (m[1] === undefined) return 0;
  const ms = (Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0)) * SECOND;
  return m[1] === "-" ? -ms : ms;
}

/**
 * A POSIX zone without DST rules, as PostgreSQL accepts and reports it: "UTC+5", "XYZ-3:30",
 * "<+05:30>-05:30" (what SET TIME ZONE INTERVAL '+05:30' reports). POSIX offsets count west of
 * Greenwich, so the sign is the opposite of ISO's.
 */
function posixFixedZone(name: string): OffsetAt | null {
  const m = /^(?:<[^<>]+>|[A-Za-z]{3,})([+-]?)(\d{1,3})(?::(\d\d))?(?::(\d\d))?$/.exec(name);
  if (m === null) return null;
  const west = (Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0)) * SECOND;
  const offset = m[1] === "-" ? west : -west;
  return () => offset;
}

/**
 * Offsets of common abbreviations, in hours east of UTC. Only consulted to choose between the
 * two instants of a fall-back overlap, or when the session's zone is unknown to this runtime.
 * "IST" is left out on purpose: it names three different offsets.
 */
const ABBREVIATIONS: Readonly<Record<string, number>> = {
  UTC: 0,
  UT: 0,
  GMT: 0,
  Z: 0,
  WET: 0,
  WEST: 1,
  BST: 1,
  CET: 1,
  CEST: 2,
  MET: 1,
  MEST: 2,
  EET: 2,
  EEST: 3,
  MSK: 3,
  SAST: 2,
  IDT: 3,
  PKT: 5,
  HKT: 8,
  AWST: 8,
  JST: 9,
  KST: 9,
  ACST: 9.5,
  ACDT: 10.5,
  AEST: 10,
  AEDT: 11,
  LHST: 10.5,
  LHDT: 11,
  NZST: 12,
  NZDT: 13,
  NST: -3.5,
  NDT: -2.5,
  AST: -4,
  ADT: -3,
  EST: -5,
  EDT: -4,
  CST: -6,
  CDT: -5,
  MST: -7,
  MDT: -6,
  PST: -8,
  PDT: -7,
  AKST: -9,
  AKDT: -8,
  HST: -10,
  HDT: -9,
  SST: -11,
  ChST: 10,
};

/** A numeric abbreviation ("+03", "-0330", "+1345", "+05:30") → milliseconds east of UTC. */
function numericAbbreviation(abbrev: string): number | undefined {
  const m = /^([+-])(\d\d)(?::?(\d\d))?(?::?(\d\d))?$/.exec(abbrev);
  if (m === null) return undefined;
  const ms = (Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0)) * SECOND;
  return m[1] === "-" ? -ms : ms;
}

function abbreviationOffset(abbrev: string): number | undefined {
  const numeric = numericAbbreviation(abbrev);
  if (numeric !== undefined) return numeric;
  const hours = ABBREVIATIONS[abbrev] ?? ABBREVIATIONS[abbrev.toUpperCase()];
  return hours === undefined ? undefined : hours * HOUR;
}

// Abbreviations as ICU spells them in a few English locales ("CEST" only in en-GB, "EDT" in
// en-US, "IST" for Ireland in en-IE and for India in en-IN, "LHDT" in en-AU).
const ABBREVIATION_LOCALES = ["en-US", "en-GB", "en-IE", "en-IN", "en-AU"];
const abbreviationFormats = new Map<string, Intl.DateTimeFormat[]>();

function icuAbbreviations(zoneName: string, utcMs: number): string[] {
  let formats = abbreviationFormats.get(zoneName);
  if (formats === undefined) {
    try {
      formats = ABBREVIATION_LOCALES.map(
        (locale) => new Intl.DateTimeFormat(locale, { timeZone: zoneName, timeZoneName: "short" }),
      );
    } catch {
      formats = [];
    }
    if (abbreviationFormats.size > 64) abbreviationFormats.clear();
    abbreviationFormats.set(zoneName, formats);
  }
  return formats.map((f) => f.formatToParts(utcMs).find((p) => p.type === "timeZoneName")?.value ?? "");
}

/**
 * The server's zone data may differ from ICU's (EST5EDT became a link to America/New_York in
 * tzdata 2024b, so ICU applies New York's 1920s summer time where an older server prints EST).
 * When the printed abbreviation is one ICU itself uses for this zone today with the offset the
 * table gives it ("EST" = -5 in EST5EDT), and the zone's offset at the instant differs, the
 * server's abbreviation wins. Only then: Asia/Shanghai's "CST" (+8) is not a name ICU uses
 * for that zone, so the table's US Central -6 never applies to it.
 */
function disagreement(
  localMs: number,
  abbrev: string,
  zoneName: string,
  offsetAt: OffsetAt,
  instant: number,
): number | undefined {
  const hours = ABBREVIATIONS[abbrev];
  if (hours === undefined || localMs - instant === hours * HOUR) return undefined;
  const offset = hours * HOUR;
  for (const reference of REFERENCE_INSTANTS) {
    if (offsetAt(reference) === offset && icuAbbreviations(zoneName, reference).includes(abbrev))
      return localMs - offset;
  }
  return undefined;
}

/** Mid-winter and mid-summer: a zone's standard and daylight names. */
const REFERENCE_INSTANTS = [Date.UTC(2024, 0, 15, 12), Date.UTC(2024, 6, 15, 12)];

/**
 * The UTC instant (ms) of a wall-clock time (`localMs`: the wall clock's fields read as UTC)
 * that PostgreSQL printed with zone abbreviation `abbrev` in session zone `zoneName`. Returns
 * undefined when neither the zone nor the abbreviation gives an offset.
 */
export function instantOfLocalTime(localMs: number, abbrev: string, zoneName: string | undefined): number | undefined {
  // A numeric abbreviation ("+03", "+1345", "+05:30") is the offset itself: exact, and
  // independent of whether the client's time zone data agrees with the server's.
  const numeric = numericAbbreviation(abbrev);
  if (numeric !== undefined) return localMs - numeric;
  const offsetAt = zoneName === undefined ? null : zone(zoneName);
  if (offsetAt === null) {
    // A zone this runtime doesn't know ("localtime", a POSIX rule with DST): trust the
    // abbreviation if it is a number or a well-known name.
    const offset = abbreviationOffset(abbrev);
    return offset === undefined ? undefined : localMs - offset;
  }
  // Offsets change at most a few times a year, so the offsets a day either side of the wall
  // clock cover every candidate; a candidate is real when the zone has that offset at it.
  const candidates: number[] = [];
  for (const probe of [localMs - DAY, localMs, localMs + DAY]) {
    const offset = offsetAt(probe);
    const instant = localMs - offset;
    if (offsetAt(instant) === offset && !candidates.includes(instant)) candidates.push(instant);
  }
  candidates.sort((a, b) => a - b);
  if (candidates.length === 1)
    return disagreement(localMs, abbrev, zoneName!, offsetAt, candidates[0]!) ?? candidates[0];
  if (candidates.length === 0) {
    // A wall clock inside a spring-forward gap: PostgreSQL never prints one. Read it with the
    // offset before the gap, as PostgreSQL reads such input.
    return localMs - offsetAt(localMs - DAY);
  }
  // Fall-back overlap: the same wall clock happened twice; the abbreviation tells which.
  const exact = abbreviationOffset(abbrev);
  for (const instant of candidates) {
    if (exact !== undefined && localMs - instant === exact) return instant;
  }
  for (const instant of candidates) {
    if (icuAbbreviations(zoneName!, instant).includes(abbrev)) return instant;
  }
  // Unknown abbreviation: the later instant (standard time), as PostgreSQL reads ambiguous input.
  return candidates[candidates.length - 1];
}
