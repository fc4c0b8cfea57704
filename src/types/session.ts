// The session settings that change how PostgreSQL prints values as text, as the server reports
// them in ParameterStatus messages (PostgreSQL docs: Frontend/Backend Protocol, "Asynchronous
// Operations" lists the reported settings). One instance per connection, owned by its
// TypeRegistry; text decoders read it when they run, so a SET takes effect for every row after
// the server reported it.
//
// Settings the server does not report are detected from the text instead: bytea_output (hex
// text starts with "\x") and IntervalStyle's four forms look different from each other, and
// the DateStyle's style can be told from the text too; only its field order (DMY/MDY) and the
// TimeZone need the report.

export type DateStyleName = "ISO" | "SQL" | "Postgres" | "German";
export type DateOrder = "MDY" | "DMY" | "YMD";

/** What date and timestamp decoders read. */
export interface DateSettings {
  readonly dateOrder: DateOrder;
  readonly timeZone: string | undefined;
}

export class SessionSettings implements DateSettings {
  /** The output style part of DateStyle. */
  dateStyle: DateStyleName = "ISO";
  /** The field order part of DateStyle: how "01/02/2024" is read in the SQL and Postgres styles. */
  dateOrder: DateOrder = "MDY";
  /** TimeZone as reported: an IANA name, a POSIX string ("UTC+5", "<+05:30>-05:30"), … */
  timeZone: string | undefined = undefined;
  intervalStyle = "postgres";

  /** Takes a ParameterStatus; returns whether it was one of the settings kept here. */
  update(name: string, value: string): boolean {
    switch (name.toLowerCase()) {
      case "datestyle":
        this.setDateStyle(value);
        return true;
      case "timezone":
        this.timeZone = value;
        return true;
      case "intervalstyle":
        this.intervalStyle = value;
        return true;
      default:
        return false;
    }
  }

  /** DateStyle is reported as "<style>, <order>", e.g. "ISO, MDY", "SQL, DMY", "German, DMY". */
  private setDateStyle(value: string): void {
    for (const part of value.split(/[\s,]+/)) {
      switch (part.toUpperCase()) {
        case "ISO":
          this.dateStyle = "ISO";
          break;
        case "SQL":
          this.dateStyle = "SQL";
          break;
        case "POSTGRES":
          this.dateStyle = "Postgres";
          break;
        case "GERMAN":
          this.dateStyle = "German";
          break;
        case "DMY":
        case "EURO":
        case "EUROPEAN":
          this.dateOrder = "DMY";
          break;
        case "MDY":
        case "US":
        case "NONEURO":
        case "NONEUROPEAN":
          this.dateOrder = "MDY";
          break;
        case "YMD":
          this.dateOrder = "YMD";
          break;
      }
    }
  }
}

/** What decoders see when none is given: the driver's startup settings. */
export const DEFAULT_SESSION: DateSettings = Object.freeze({ dateOrder: "MDY", timeZone: undefined });
