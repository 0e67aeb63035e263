import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * src/app, src/data and src/domain must run unchanged on Node and in workerd, so they may
 * not import anything that only one runtime has. Type-only imports vanish at build time and
 * are allowed.
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PORTABLE_DIRECTORIES = ['src/app', 'src/data', 'src/domain'];
const RUNTIME_DIRECTORY = resolve(root, 'src/runtime');

interface ImportStatement {
  specifier: string;
  typeOnly: boolean;
  /** The statement as written, for the failure message. */
  text: string;
}

/** Blanks out comments so that an `import` in a doc comment is not mistaken for one; keeps strings intact. */
function stripComments(source: string): string {
  return source.replace(
    /("(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|`(?:\\.|[^`\\])*`)|\/\*[\s\S]*?\*\/|\/\/[^\n]*/g,
    (match, literal: string | undefined) => literal ?? match.replace(/[^\n]/g, ' '),
  );
}

/** Every static import / re-export, side-effect import, dynamic import() and require() in a module. */
function findImports(source: string): ImportStatement[] {
  const code = stripComments(source);
  const found: ImportStatement[] = [];
  const statements =
    /(?:^|[\n;])[ \t]*((import|export)\b(\s+type\b(?!\s*[,=]|\s+from\b))?(?:(?!\n[ \t]*(?:import|export)\b)[^'";=()])*?\bfrom\s*(['"])([^'"\n]+)\4)/g;
  for (const match of code.matchAll(statements)) {
    found.push({
      specifier: match[5] as string,
      typeOnly: match[3] !== undefined,
      text: (match[1] as string).replace(/\s+/g, ' '),
    });
  }
  for (const match of code.matchAll(/(?:^|[\n;])[ \t]*(import\s*(['"])([^'"\n]+)\2)/g)) {
    found.push({ specifier: match[3] as string, typeOnly: false, text: match[1] as string });
  }
  for (const match of code.matchAll(/\b((?:import|require)\s*\(\s*(['"`])([^'"`\n]+)\2\s*\))/g)) {
    found.push({ specifier: match[3] as string, typeOnly: false, text: match[1] as string });
  }
  return found;
}

const NODE_BUILTINS = new Set(builtinModules.filter((name) => !name.startsWith('_')));

/** Why a value import is not allowed in portable code, or undefined when it is fine. */
function forbiddenReason(specifier: string, fromFile: string): string | undefined {
  if (specifier.startsWith('node:')) return 'Node built-in';
  if (NODE_BUILTINS.has(specifier) || NODE_BUILTINS.has(specifier.split('/')[0] as string)) return 'Node built-in';
  if (specifier === 'mysql2' || specifier.startsWith('mysql2/')) return 'Node-only database driver';
  if (specifier === 'drizzle-orm/mysql2' || specifier.startsWith('drizzle-orm/mysql2/'))
    return 'pulls in mysql2 (use import type)';
  if (specifier === '@hono/node-server' || specifier.startsWith('@hono/node-server/')) return 'Node-only server adapter';
  if (specifier.startsWith('cloudflare:')) return 'workerd-only module';
  if (specifier.startsWith('.')) {
    const target = resolve(dirname(fromFile), specifier);
    if (target === RUNTIME_DIRECTORY || target.startsWith(RUNTIME_DIRECTORY + sep))
      return 'runtime-specific code under src/runtime';
  }
  return undefined;
}

function sourceFiles(directory: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(path));
    else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) files.push(path);
  }
  return files;
}

function violationsIn(file: string, source: string): string[] {
  return findImports(source).flatMap(({ specifier, typeOnly, text }) => {
    if (typeOnly) return [];
    const reason = forbiddenReason(specifier, file);
    return reason === undefined ? [] : [`${relative(root, file)}: ${text} (${reason})`];
  });
}

describe('the import scanner (so the real check below cannot pass vacuously)', () => {
  const fakeFile = resolve(root, 'src/app/routes/fake.ts');

  it('finds static, multi-line, side-effect, re-export and dynamic imports', () => {
    const source = [
      "import { readFile } from 'node:fs/promises';",
      'import {',
      '  createPool,',
      '  type Pool,',
      "} from 'mysql2/promise';",
      "import 'cloudflare:workers';",
      "export { serve } from '@hono/node-server';",
      "export * from '../../runtime/node/main';",
      "const os = await import('os');",
      "import packageJson from '../../../package.json' with { type: 'json' };",
    ].join('\n');
    expect(findImports(source).map((found) => found.specifier)).toEqual([
      'node:fs/promises',
      'mysql2/promise',
      '@hono/node-server',
      '../../runtime/node/main',
      '../../../package.json',
      'cloudflare:workers',
      'os',
    ]);
    expect(violationsIn(fakeFile, source)).toHaveLength(6);
  });

  it('allows type-only imports, including of drizzle-orm/mysql2', () => {
    const source = [
      "import type { MySql2Database } from 'drizzle-orm/mysql2';",
      "import type * as schema from '../../db/schema';",
      "export type { Pool } from 'mysql2';",
      "import type {\n  Server,\n} from 'node:http';",
    ].join('\n');
    expect(findImports(source).every((found) => found.typeOnly)).toBe(true);
    expect(violationsIn(fakeFile, source)).toEqual([]);
  });

  it('treats inline type specifiers as a value import (verbatimModuleSyntax keeps the import)', () => {
    expect(violationsIn(fakeFile, "import { type Pool } from 'mysql2';")).toEqual([
      "src/app/routes/fake.ts: import { type Pool } from 'mysql2' (Node-only database driver)",
    ]);
    expect(violationsIn(fakeFile, "import { drizzle } from 'drizzle-orm/mysql2';")).toHaveLength(1);
  });

  it('flags bare Node built-ins and src/runtime, but not look-alike packages', () => {
    for (const name of ['fs', 'path', 'os', 'crypto', 'http', 'net', 'fs/promises', 'child_process']) {
      expect(forbiddenReason(name, fakeFile), name).toBe('Node built-in');
    }
    expect(forbiddenReason('../../runtime/node/database', fakeFile)).toBeDefined();
    expect(forbiddenReason('../../runtime', fakeFile)).toBeDefined();
    for (const name of [
      'hono',
      'hono/html',
      'drizzle-orm',
      'drizzle-orm/mysql-core',
      'valibot',
      'ipaddr.js',
      '../validation',
      '../../db/schema',
      '../../runtime-helpers',
    ]) {
      expect(forbiddenReason(name, fakeFile), name).toBeUndefined();
    }
  });

  it('does not let a type declaration swallow the import after it', () => {
    const source = "export type Row = Record<string, string>\nimport { readFileSync } from 'node:fs'";
    expect(violationsIn(fakeFile, source)).toEqual([
      "src/app/routes/fake.ts: import { readFileSync } from 'node:fs' (Node built-in)",
    ]);
  });

  it('ignores imports that appear only in comments', () => {
    expect(findImports("// import fs from 'node:fs';\n/* import 'mysql2'; */\nconst x = 1;")).toEqual([]);
  });
});

describe('portable code', () => {
  const files = PORTABLE_DIRECTORIES.flatMap((directory) => sourceFiles(resolve(root, directory)));

  it('has files to check in every portable directory', () => {
    for (const directory of PORTABLE_DIRECTORIES) {
      expect(
        files.some((file) => file.startsWith(resolve(root, directory) + sep)),
        directory,
      ).toBe(true);
    }
  });

  it('imports nothing Node-only, workerd-only or from src/runtime (type-only imports aside)', () => {
    const violations = files.flatMap((file) => violationsIn(file, readFileSync(file, 'utf8')));
    expect(violations, `runtime-specific imports in portable code:\n${violations.join('\n')}`).toEqual([]);
  });

  it('is made of modules the scanner understands (every file that imports something is seen to)', () => {
    for (const file of files) {
      const source = readFileSync(file, 'utf8');
      const importLines = stripComments(source)
        .split('\n')
        .filter((line) => /^\s*import[\s{'"*]/.test(line)).length;
      expect(findImports(source).length, relative(root, file)).toBeGreaterThanOrEqual(importLines);
    }
  });
});

describe('src/app/create-app.ts', () => {
  it('exports createApp', async () => {
    const module: Record<string, unknown> = await import('../src/app/create-app');
    expect(typeof module.createApp).toBe('function');
  });
});
