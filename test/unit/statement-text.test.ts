import { describe, expect, it } from "vitest";
import { runsAsOneStatement } from "../../src/core/statement-text.js";

describe("runsAsOneStatement: which parameterless SQL takes the extended protocol", () => {
  it.each([
    "SELECT 1",
    "SELECT 1;",
    "  select 1 ;  ; \n",
    "SELECT 1; -- done",
    "SELECT 1; /* done; SELECT 2 */",
    "/* leading */ SELECT 1",
    "-- leading\nSELECT 1",
    "SELECT ';' AS a, \"x;y\" FROM t",
    "SELECT E'it\\'s; fine'",
    "SELECT $$ a; b $$, $tag$ ; $tag$",
    "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$",
    "SELECT a$1 FROM t", // $ inside an identifier is not a placeholder
    "SELECT '$1', \"$2\" -- $3",
    "BEGIN",
    "SET search_path = public",
    "LISTEN channel",
    "VACUUM t",
    "copyright_check()", // a word starting with COPY is not COPY
  ])("one statement: %j", (sql) => {
    expect(runsAsOneStatement(sql)).toBe(true);
  });

  it.each([
    "",
    "   ",
    ";",
    "; SELECT 1",
    "-- only a comment",
    "/* only */ -- comments",
    "SELECT 1; SELECT 2",
    "SELECT 1;SELECT 2;",
    "BEGIN; SELECT 1",
    "SELECT 1; 'x'",
    'SELECT 1; "t"',
    "SELECT ';'; SELECT 2",
    "SELECT $$;$$; SELECT 2",
    "SELECT E'\\';'; SELECT 2",
    "SELECT $1",
    "SELECT 1 + $12",
    "COPY t FROM STDIN",
    "copy (SELECT 1) TO STDOUT",
    "/* c */ COPY t TO STDOUT",
  ])("simple protocol: %j", (sql) => {
    expect(runsAsOneStatement(sql)).toBe(false);
  });
});
