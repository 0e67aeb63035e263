import { type DriverValueEncoder, is, Param, Placeholder, sql } from 'drizzle-orm';
import type { Driver } from './database';

/**
 * Statements built with drizzle on the schema once, with named placeholders, and then run on
 * the driver as often as needed. Building SQL through drizzle, and its generic execution (a
 * row mapper and a typeCast callback over every value), cost more CPU than the statements
 * themselves on the request paths: the visit list ran in 673 µs through drizzle against 436 µs
 * like this, and building each write transaction's inserts was a tenth of GET /'s CPU. The
 * values are still sent apart from the SQL, as drizzle sends them (client-side placeholders,
 * never protocol-level PREPARE, so Hyperdrive accepts them).
 */

export interface BuiltStatement<Name extends string> {
  readonly sql: string;
  /** The values for one run, in the order the SQL takes them: each placeholder's, and the constants drizzle put in. */
  values(named: Readonly<Record<Name, unknown>> | RowValues): unknown[];
}

/**
 * The rows of a multi-row statement (placeholderRows), read by column and row index where the
 * statement needs them: no record of `column:row` names is built per run (that was 5 % of
 * POST /api/event's CPU time, and garbage).
 */
export class RowValues {
  constructor(readonly rows: readonly Readonly<Record<string, unknown>>[]) {}
}

type Parameter<Name extends string> =
  | { placeholder: Name; row?: { index: number; column: string }; encoder?: DriverValueEncoder<unknown, unknown> }
  | { constant: unknown };

/** placeholderRows' names are `column:row`. */
function rowOf(name: string): { index: number; column: string } | undefined {
  const match = /^(.+):(\d+)$/.exec(name);
  return match === null ? undefined : { column: match[1] ?? '', index: Number(match[2]) };
}

/**
 * A query drizzle built (`.toSQL()`), ready to run with values by placeholder name. What drizzle's
 * own execution does per run is worked out here once: which parameter is which placeholder, and
 * which column encoder (a datetime's, in an insert) its value goes through.
 */
export function builtStatement<Name extends string>(query: { sql: string; params: unknown[] }): BuiltStatement<Name> {
  const parameters = query.params.map((param): Parameter<Name> => {
    if (is(param, Placeholder)) return { placeholder: param.name as Name, row: rowOf(param.name) };
    if (is(param, Param) && is(param.value, Placeholder))
      return { placeholder: param.value.name as Name, row: rowOf(param.value.name), encoder: param.encoder };
    return { constant: param };
  });
  return {
    sql: query.sql,
    values: (named) =>
      parameters.map((parameter) => {
        if (!('placeholder' in parameter)) return parameter.constant;
        const value =
          named instanceof RowValues
            ? parameter.row === undefined
              ? undefined
              : named.rows[parameter.row.index]?.[parameter.row.column]
            : named[parameter.placeholder];
        return parameter.encoder === undefined ? value : parameter.encoder.mapToDriverValue(value);
      }),
  };
}

/**
 * Runs a built statement: a result set comes back as rows of column values in select order
 * (mysql2 on these connections: DATETIME as a Date, BIGINT as a number, DECIMAL as a string,
 * BOOLEAN as 0 or 1); anything else as the driver's result header.
 */
export async function runStatement<Name extends string>(
  driver: Driver,
  statement: BuiltStatement<Name>,
  named: Readonly<Record<Name, unknown>> | RowValues,
): Promise<unknown[][]> {
  const [rows] = await driver.query({ sql: statement.sql, rowsAsArray: true }, statement.values(named));
  return rows as unknown[][];
}

/** Statements by shape, each built on first use: one cache per database handle and reader. */
export type StatementCache = <Name extends string>(shape: string, build: () => BuiltStatement<Name>) => BuiltStatement<Name>;

export function statementCache(): StatementCache {
  const statements = new Map<string, BuiltStatement<string>>();
  return <Name extends string>(shape: string, build: () => BuiltStatement<Name>): BuiltStatement<Name> => {
    let statement = statements.get(shape) as BuiltStatement<Name> | undefined;
    if (statement === undefined) {
      statement = build();
      statements.set(shape, statement as BuiltStatement<string>);
    }
    return statement;
  };
}

/**
 * Runs a built statement that writes: how many rows it inserted or changed (the driver's
 * affectedRows; an INSERT IGNORE counts only the rows it did insert).
 */
export async function runWrite<Name extends string>(
  driver: Driver,
  statement: BuiltStatement<Name>,
  named: Readonly<Record<Name, unknown>> | RowValues,
): Promise<number> {
  const [result] = await driver.query({ sql: statement.sql, rowsAsArray: true }, statement.values(named));
  return (result as { affectedRows?: number }).affectedRows ?? 0;
}

/** `rows` rows of placeholders for `columns`, named `column:row`. */
export function placeholderRows<Column extends string>(rows: number, columns: readonly Column[]) {
  return Array.from(
    { length: rows },
    (_, row) =>
      Object.fromEntries(columns.map((column) => [column, sql.placeholder(`${column}:${row}`)])) as Record<
        Column,
        ReturnType<typeof sql.placeholder>
      >,
  );
}

/** The values for placeholderRows' placeholders: the rows themselves, read by column (`columns` only checks their type). */
export function rowValues<Column extends string>(
  rows: readonly Readonly<Record<Column, unknown>>[],
  _columns: readonly Column[],
): RowValues {
  return new RowValues(rows);
}

/** Multi-row statements are built once per number of rows up to this (the batchers' largest batch), larger ones each time. */
export const CACHED_ROW_COUNTS = 64;

/**
 * Rows in slices of at most CACHED_ROW_COUNTS, in order: one statement each is cheaper than
 * having drizzle build a larger one on every call (measured: a larger insert's build was 6 % of
 * POST /api/event's CPU time).
 */
export function inSlices<Row>(rows: readonly Row[]): Row[][] {
  const slices: Row[][] = [];
  for (let start = 0; start < rows.length; start += CACHED_ROW_COUNTS) slices.push(rows.slice(start, start + CACHED_ROW_COUNTS));
  return slices;
}

/** Builders of a multi-row statement by its number of rows, each built once per count up to CACHED_ROW_COUNTS. */
export function perRowCountCache() {
  const cached = statementCache();
  return (kind: string, build: (rows: number) => BuiltStatement<string>) =>
    (rows: number): BuiltStatement<string> =>
      rows <= CACHED_ROW_COUNTS ? cached(`${kind}:${rows}`, () => build(rows)) : build(rows);
}
