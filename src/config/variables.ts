import * as v from 'valibot';

/**
 * How configuration is read: every environment variable is declared once, with the schema its
 * text is parsed by, inside the section of the consumer that uses it (src/config/service.ts,
 * node.ts, tools.ts). A runtime parses the sections it needs and nothing else, once, at start:
 * `parseSettings(env, { app: appSettings, … })` gives `{ app: { environment, timeZone }, … }`,
 * or throws a ConfigError naming every bad variable. A new variable is one entry in a section
 * plus the line that reads it.
 */

export type Environment = Readonly<Record<string, string | undefined>>;

/** A variable's text (undefined when unset or empty) goes in; its typed value comes out. */
export type ValueSchema<TValue> = v.GenericSchema<string | undefined, TValue>;

export interface Variable<TValue> {
  readonly name: string;
  readonly schema: ValueSchema<TValue>;
}

export function variable<TValue>(name: string, schema: ValueSchema<TValue>): Variable<TValue> {
  return { name, schema };
}

type Values<TEntries extends Record<string, Variable<unknown>>> = {
  [TKey in keyof TEntries]: TEntries[TKey] extends Variable<infer TValue> ? TValue : never;
};

/** Reports a problem that spans variables (one that is required because another is set). */
export type ReportProblem = (variable: string, message: string) => void;

export interface Section<TSettings> {
  /** The variables the section reads. */
  readonly variables: readonly string[];
  /** The settings, or undefined after adding one line per bad variable to `problems`. */
  read(env: Environment, problems: string[]): TSettings | undefined;
}

/**
 * The settings one consumer needs, each from one variable. `derive` turns the values into the
 * settings where variables combine (a URL or its parts, a mode and its key); without it the
 * values are the settings.
 */
export function section<const TEntries extends Record<string, Variable<unknown>>>(entries: TEntries): Section<Values<TEntries>>;
export function section<const TEntries extends Record<string, Variable<unknown>>, TSettings>(
  entries: TEntries,
  derive: (values: Values<TEntries>, problem: ReportProblem) => TSettings,
): Section<TSettings>;
export function section<const TEntries extends Record<string, Variable<unknown>>, TSettings>(
  entries: TEntries,
  derive?: (values: Values<TEntries>, problem: ReportProblem) => TSettings,
): Section<TSettings | Values<TEntries>> {
  return {
    variables: [...new Set(Object.values(entries).map((entry) => entry.name))],
    read(env, problems) {
      const values: Record<string, unknown> = {};
      let valid = true;
      for (const [key, entry] of Object.entries(entries)) {
        // Empty strings mean "unset", as in most .env files.
        const text = env[entry.name] === '' ? undefined : env[entry.name];
        const result = v.safeParse(entry.schema, text);
        if (result.success) {
          values[key] = result.output;
          continue;
        }
        valid = false;
        const [issue] = result.issues;
        problems.push(`${entry.name}: ${issue.message} (got ${JSON.stringify(redact(entry.name, issue.input))})`);
      }
      if (!valid) return undefined;
      if (derive === undefined) return values as Values<TEntries>;
      const before = problems.length;
      try {
        const settings = derive(values as Values<TEntries>, (name, message) => problems.push(`${name}: ${message}`));
        return problems.length === before ? settings : undefined;
      } catch (error) {
        // A helper that parses a value of its own (a URL's parts) may throw its problems instead.
        if (!(error instanceof ConfigError)) throw error;
        problems.push(...error.problems);
        return undefined;
      }
    },
  };
}

/** The settings a section gives. */
export type Settings<TSection> = TSection extends Section<infer TSettings> ? TSettings : never;

type SettingsOf<TSections extends Record<string, Section<unknown>>> = {
  [TKey in keyof TSections]: TSections[TKey] extends Section<infer TSettings> ? TSettings : never;
};

/** Parses the sections' variables from `env`; throws one ConfigError listing every problem. */
export function parseSettings<const TSections extends Record<string, Section<unknown>>>(
  env: Environment,
  sections: TSections,
): SettingsOf<TSections> {
  const problems: string[] = [];
  const settings: Record<string, unknown> = {};
  for (const [key, part] of Object.entries(sections)) settings[key] = part.read(env, problems);
  // A variable that several sections read is reported once.
  if (problems.length > 0) throw new ConfigError([...new Set(problems)]);
  return settings as SettingsOf<TSections>;
}

/** Every variable the sections read, once each. */
export function variablesOf(sections: Record<string, Section<unknown>>): string[] {
  return [...new Set(Object.values(sections).flatMap((part) => part.variables))];
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}\n` +
        'Fix these environment variables (see .env.example for every variable and its default) and start again.',
    );
    this.name = 'ConfigError';
  }
}

/** Error messages end up in logs: never echo a password, alone or inside a URL. */
function redact(name: string, value: unknown): unknown {
  // Whatever the type: a check after a transform sees the parsed value (ADMIN_TOKEN's list).
  if (/PASSWORD|SECRET|TOKEN|KEY/.test(name)) return '***';
  if (typeof value !== 'string') return value;
  // Global: DATABASE_READ_URL may hold several URLs, each with its password.
  return value.replace(/(\/\/[^:/@\s]*:)[^@/\s]*@/g, '$1***@');
}

// --- Value schemas the sections share ----------------------------------------------------------

export const text = (description: string) => v.pipe(v.string(), v.trim(), v.nonEmpty(`expected ${description}`));

export const integer = (min: number, max: number, fallback: number) =>
  v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.regex(/^\d+$/, `expected a whole number from ${min} to ${max}`),
      v.transform(Number),
      v.minValue(min, `expected a whole number from ${min} to ${max}`),
      v.maxValue(max, `expected a whole number from ${min} to ${max}`),
    ),
    String(fallback),
  );

export const oneOf = <const TValues extends readonly string[]>(values: TValues, fallback: TValues[number]) =>
  v.optional(
    v.pipe(v.string(), v.trim(), v.toLowerCase(), v.picklist(values, `expected one of: ${values.join(', ')}`)),
    fallback,
  );

/** As oneOf, but unset stays undefined: for defaults that depend on another variable. */
export const optionalOneOf = <const TValues extends readonly string[]>(values: TValues) =>
  v.optional(v.pipe(v.string(), v.trim(), v.toLowerCase(), v.picklist(values, `expected one of: ${values.join(', ')}`)));

export const flag = (fallback: boolean) =>
  v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.toLowerCase(),
      v.picklist(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'], 'expected true or false'),
      v.transform((value) => ['1', 'true', 'yes', 'on'].includes(value)),
    ),
    String(fallback),
  );
