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
  values(named: Readonly<Record<Name, unknown>>): unknown[];
}

type Parameter<Name extends string> =
  | { placeholder: Name; encoder?: DriverValueEncoder<unknown, unknown> }
  | { constant: unknown };

/**
 * A query drizzle built (`.toSQL()`), ready to run with values by placeholder name. What drizzle's
 * own execution does per run is worked out here once: which parameter is which placeholder, and
 * which column encoder (a datetime's, in an insert) its value goes through.
 */
export function builtStatement<Name extends string>(query: { sql: string; params: unknown[] }): BuiltStatement<Name> {
  const parameters = query.params.map((param): Parameter<Name> => {
    if (is(param, Placeholder)) return { placeholder: param.name as Name };
    if (is(param, Param) && is(param.value, Placeholder))
      return { placeholder: param.value.name as Name, encoder: param.encoder };
    return { constant: param };
  });
  return {
    sql: query.sql,
    values: (named) =>
      parameters.map((parameter) => {
        if (!('placeholder' in parameter)) return parameter.constant;
        const value = named[parameter.placeholder];
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
  named: Readonly<Record<Name, unknown>>,
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
  named: Readonly<Record<Name, unknown>>,
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

/** The values for placeholderRows' placeholders. */
export function rowValues<Column extends string>(rows: readonly Record<Column, unknown>[], columns: readonly Column[]) {
  const values: Record<string, unknown> = {};
  rows.forEach((row, index) => {
    for (const column of columns) values[`${column}:${index}`] = row[column];
  });
  return values;
}

/** Multi-row statements are built once per number of rows up to this (the batchers' largest batch), larger ones each time. */
const CACHED_ROW_COUNTS = 64;

/** Builders of a multi-row statement by its number of rows, each built once per count up to CACHED_ROW_COUNTS. */
export function perRowCountCache() {
  const cached = statementCache();
  return (kind: string, build: (rows: number) => BuiltStatement<string>) =>
    (rows: number): BuiltStatement<string> =>
      rows <= CACHED_ROW_COUNTS ? cached(`${kind}:${rows}`, () => build(rows)) : build(rows);
}
