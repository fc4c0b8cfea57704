// What the server may send next for one request. Every message sent that the server answers
// pushes the phase that awaits that answer (Parse → "parse", Sync → "sync", …), so the phases
// of a request are exactly what was sent for it, in order; each backend message is checked
// against the current phase and moves it on. A message no phase expects (say, a ReadyForQuery
// before the BindComplete) is a protocol violation: the connection must close rather than hand
// a shifted answer to the wrong request. The named phases follow asyncpg's ProtocolState.
// PostgreSQL docs: Frontend/Backend Protocol, "Message Flow".

import { InterfaceError } from "../errors.js";
import { Backend } from "../protocol/messages.js";

export type Phase =
  /** Startup and authentication: R, K, v, E until ReadyForQuery. */
  | "startup"
  /** A simple Query, nothing answered yet: a result, a COPY, an error or an empty query. */
  | "query"
  /** A simple Query's result set: DataRows, then CommandComplete. */
  | "query-rows"
  /** A simple Query with at least one statement answered: more of the same, or ReadyForQuery. */
  | "query-answered"
  /** Parse sent: ParseComplete. */
  | "parse"
  /** Describe (statement) sent: ParameterDescription, then "columns". */
  | "parameters"
  /** Describe sent: RowDescription or NoData. */
  | "columns"
  /** Bind sent: BindComplete. */
  | "bind"
  /** Execute sent: DataRows, then CommandComplete, EmptyQueryResponse, PortalSuspended or a COPY. */
  | "execute"
  /** COPY FROM STDIN running (we send): CommandComplete once our CopyDone is read. */
  | "copy-in"
  /** COPY TO STDOUT running: CopyData, then CopyDone. */
  | "copy-out"
  /** COPY TO STDOUT's CopyDone read: CommandComplete. */
  | "copy-out-done"
  /** Streaming replication (CopyBoth): CopyData until CopyDone. */
  | "copy-both"
  /**
   * The server's CopyDone of a CopyBoth read. A walsender with output still buffered may queue
   * a keepalive after its CopyDone (PostgreSQL's WalSndLoop), so CopyData is still taken here
   * until the command's own results begin.
   */
  | "copy-both-done"
  /** Close sent: CloseComplete. */
  | "close"
  /** Sync sent: ReadyForQuery. */
  | "sync";

function letter(type: number): string {
  return String.fromCharCode(type);
}

const NONE: readonly Phase[] = [];

export class Expectations {
  /**
   * From `head` on: what is still awaited. Usually a list shared by every request of the same
   * shape (see expectAll), copied before it is changed: nothing is allocated per request.
   */
  private phases: readonly Phase[] = NONE;
  private owned = false;
  private head = 0;
  /** The current phase takes DataRows (checked once per row, so kept as a flag). */
  rowsAllowed = false;

  /** The server will answer a message just sent with `phase`. */
  expect(phase: Phase): void {
    this.own().push(phase);
    if (this.head === this.phases.length - 1) this.rowsAllowed = isRowPhase(phase);
  }

  /** expect() for each of `phases`, a list that is never changed (it may be shared). */
  expectAll(phases: readonly Phase[]): void {
    if (this.phases.length === 0 && phases.length > 0) {
      this.phases = phases;
      this.owned = false;
      this.head = 0;
      this.rowsAllowed = isRowPhase(phases[0]!);
      return;
    }
    for (const phase of phases) this.expect(phase);
  }

  /** The phases, made this request's own before a change. */
  private own(): Phase[] {
    if (!this.owned) {
      this.phases = this.phases.slice();
      this.owned = true;
    }
    return this.phases as Phase[];
  }

  /** What the next backend message must answer; undefined when nothing is awaited. */
  get current(): Phase | undefined {
    return this.phases[this.head];
  }

  /**
   * Checks one backend message (neither asynchronous nor a DataRow) against the current phase
   * and moves on. Returns true for the request's final ReadyForQuery. Throws InterfaceError
   * (the caller closes the connection) for a message the phase does not expect.
   */
  accept(type: number): boolean {
    const phase = this.phases[this.head];
    // The answers of pipelined extended queries first: one comparison each.
    if (phase === "bind" ? type === Backend.BindComplete : phase === "sync" && type === Backend.ReadyForQuery) {
      return this.advance(type);
    }
    if (type === Backend.ErrorResponse && phase !== undefined) {
      this.afterError();
      return false;
    }
    switch (phase) {
      case "startup":
        if (type === Backend.ReadyForQuery) return this.advance(type);
        if (type === Backend.Authentication || type === Backend.BackendKeyData) return false;
        if (type === Backend.NegotiateProtocolVersion) return false;
        break;
      case "query":
      case "query-answered":
        if (type === Backend.ReadyForQuery) {
          if (phase === "query") break; // a Query is always answered before its ReadyForQuery
          return this.advance(type);
        }
        if (type === Backend.RowDescription) {
          this.replace("query-rows");
          return false;
        }
        if (type === Backend.CommandComplete || type === Backend.EmptyQueryResponse) {
          this.replace("query-answered");
          return false;
        }
        if (this.startCopy(type, true)) return false;
        break;
      case "query-rows":
        if (type === Backend.CommandComplete) {
          this.replace("query-answered");
          return false;
        }
        break;
      case "parse":
        if (type === Backend.ParseComplete) return this.advance(type);
        break;
      case "parameters":
        if (type === Backend.ParameterDescription) {
          this.replace("columns");
          return false;
        }
        break;
      case "columns":
        if (type === Backend.RowDescription || type === Backend.NoData) return this.advance(type);
        break;
      case "bind":
        if (type === Backend.BindComplete) return this.advance(type);
        break;
      case "execute":
        if (
          type === Backend.CommandComplete ||
          type === Backend.EmptyQueryResponse ||
          type === Backend.PortalSuspended
        ) {
          return this.advance(type);
        }
        if (this.startCopy(type, false)) return false;
        break;
      case "copy-in":
      case "copy-out-done":
        if (type === Backend.CommandComplete) return this.advance(type);
        break;
      case "copy-out":
        if (type === Backend.CopyData) return false;
        if (type === Backend.CopyDone) {
          this.replace("copy-out-done");
          return false;
        }
        break;
      case "copy-both":
        if (type === Backend.CopyData) return false;
        if (type === Backend.CopyDone) {
          this.replace("copy-both-done");
          return false;
        }
        break;
      case "copy-both-done":
        if (type === Backend.CopyData) return false;
        // The query's own results follow, checked by the phase below.
        this.advance(type);
        return this.accept(type);
      case "close":
        if (type === Backend.CloseComplete) return this.advance(type);
        break;
      case "sync":
        if (type === Backend.ReadyForQuery) return this.advance(type);
        break;
    }
    throw this.violation(type);
  }

  /** The protocol violation for a message the current phase does not expect. */
  violation(type: number): InterfaceError {
    const phase = this.phases[this.head];
    const expected = phase === undefined ? "no message for this request" : `a reply in phase '${phase}'`;
    return new InterfaceError(
      `protocol violation: the server sent '${letter(type)}' where ${expected} was expected; the connection is closed`,
    );
  }

  /**
   * ErrorResponse. In a simple Query the rest of it is skipped and ReadyForQuery follows; in the
   * extended protocol the server skips everything up to the next Sync, so do we.
   */
  private afterError(): void {
    const phases = this.own();
    let at = this.head;
    while (at < phases.length) {
      const phase = phases[at]!;
      if (phase === "sync" || phase === "startup") break;
      if (phase === "query" || phase === "query-rows" || phase === "query-answered") {
        phases[at] = "query-answered";
        break;
      }
      at++;
    }
    this.head = at;
    this.rowsAllowed = false;
  }

  /** CopyIn/Out/BothResponse: the COPY runs inside the current phase. */
  private startCopy(type: number, simple: boolean): boolean {
    let copy: Phase;
    if (type === Backend.CopyInResponse) copy = "copy-in";
    else if (type === Backend.CopyOutResponse) copy = "copy-out";
    else if (type === Backend.CopyBothResponse) copy = "copy-both";
    else return false;
    const phases = this.own();
    if (simple) {
      // The Query stays below the COPY: its answer goes on once the COPY ends.
      phases[this.head] = "query-answered";
      phases.splice(this.head, 0, copy);
    } else {
      phases[this.head] = copy;
    }
    this.rowsAllowed = false;
    return true;
  }

  private replace(phase: Phase): void {
    this.own()[this.head] = phase;
    this.rowsAllowed = isRowPhase(phase);
  }

  /** The current phase is answered; true when that answer was the request's ReadyForQuery. */
  private advance(type: number): boolean {
    this.head++;
    if (this.head === this.phases.length) {
      // Everything sent is answered (a portal between batches): start over, keep memory flat.
      this.phases = NONE;
      this.owned = false;
      this.head = 0;
      this.rowsAllowed = false;
    } else {
      this.rowsAllowed = isRowPhase(this.phases[this.head]!);
    }
    return type === Backend.ReadyForQuery;
  }
}

function isRowPhase(phase: Phase): boolean {
  return phase === "execute" || phase === "query-rows";
}
