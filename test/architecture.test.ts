import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The layout is the architecture (docs/architecture.md), and this file makes it hold:
 * - portable code (src/app, src/services, src/data, src/domain, src/config) runs unchanged on
 *   Node and in workerd, so it imports nothing only one runtime has (type-only imports vanish at
 *   build time and are allowed), nothing from src/runtime, src/ops or src/dev, and not db/paths;
 * - each folder imports only the folders below it (LAYERS), type-only imports included;
 *   entry points (the files npm scripts, the image and wrangler run) may also reach src/ops and
 *   src/dev, since they are where the program is put together;
 * - neither runtime imports the other;
 * - no module imports itself through others (no circular imports).
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PORTABLE_DIRECTORIES = ['src/app', 'src/services', 'src/data', 'src/domain', 'src/config'];
const RUNTIME_DIRECTORY = resolve(root, 'src/runtime');
const NON_PORTABLE_DIRECTORIES = ['src/runtime', 'src/ops', 'src/dev'].map((directory) => resolve(root, directory));
const NODE_ONLY_FILES = [resolve(root, 'db/paths.ts')];

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
    if (NON_PORTABLE_DIRECTORIES.some((directory) => target === directory || target.startsWith(directory + sep)))
      return 'Node-only code under src/ops or src/dev';
    if (NODE_ONLY_FILES.some((file) => target === file || `${target}.ts` === file)) return 'Node-only module';
  }
  return undefined;
}

// --- Layers ------------------------------------------------------------------------------------

/** The folders, each with the folders it may import (besides itself). Most specific first. */
const LAYERS: readonly { area: string; mayImport: readonly string[] }[] = [
  { area: 'src/runtime/node', mayImport: ['src', 'db', 'src/domain', 'src/config', 'src/data', 'src/services', 'src/app'] },
  { area: 'src/runtime/worker', mayImport: ['src', 'db', 'src/domain', 'src/config', 'src/data', 'src/services', 'src/app'] },
  {
    area: 'src/dev',
    mayImport: ['src', 'db', 'src/domain', 'src/config', 'src/data', 'src/services', 'src/app', 'src/runtime/node', 'src/ops'],
  },
  { area: 'src/ops', mayImport: ['src', 'db', 'src/domain', 'src/config', 'src/data'] },
  { area: 'src/app', mayImport: ['src', 'src/domain', 'src/config', 'src/services'] },
  { area: 'src/services', mayImport: ['src', 'src/domain', 'src/config', 'src/data'] },
  { area: 'src/data', mayImport: ['src', 'db', 'src/domain', 'src/config'] },
  { area: 'src/config', mayImport: ['src', 'src/domain'] },
  { area: 'src/domain', mayImport: ['src'] },
  { area: 'db', mayImport: ['src/domain'] },
  // Bundle-time stand-ins for two of mysql2's dependencies: the bundlers alias them, nothing imports them.
  { area: 'src/runtime/shims', mayImport: [] },
  // src/version.ts: a constant anything may read.
  { area: 'src', mayImport: [] },
];

/** Where the program is put together: these may also import src/ops and src/dev. */
const ENTRY_POINTS = ['src/runtime/node/main.ts', 'src/runtime/worker/index.ts', 'src/ops/cli/'];
const ENTRY_POINTS_MAY_ALSO_IMPORT = ['src/ops', 'src/dev'];

function areaOf(path: string): string | undefined {
  return LAYERS.find(({ area }) => path === area || path.startsWith(`${area}/`))?.area;
}

/** Why `from` (a path relative to the root) may not import `to`, or undefined when it may. */
function layerViolation(from: string, to: string): string | undefined {
  const fromArea = areaOf(from);
  const toArea = areaOf(to);
  if (fromArea === undefined || toArea === undefined || fromArea === toArea) return undefined;
  const runtimes = ['src/runtime/node', 'src/runtime/worker'];
  if (runtimes.includes(fromArea) && runtimes.includes(toArea)) return `one runtime imports the other (${toArea})`;
  const layer = LAYERS.find(({ area }) => area === fromArea);
  if (layer?.mayImport.includes(toArea)) return undefined;
  const isEntryPoint = ENTRY_POINTS.some((entry) => (entry.endsWith('/') ? from.startsWith(entry) : from === entry));
  if (isEntryPoint && ENTRY_POINTS_MAY_ALSO_IMPORT.includes(toArea)) return undefined;
  return `${fromArea} may not import ${toArea}`;
}

/** The project file a relative specifier names, or undefined (a package, or not a file). */
function resolveProjectFile(fromFile: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const target = resolve(dirname(fromFile), specifier);
  for (const candidate of [target, `${target}.ts`, `${target}.tsx`, join(target, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** Every import between project files, type-only ones included: a type is a dependency for a reader too. */
function importGraph(files: readonly string[]): Map<string, { to: string; text: string }[]> {
  const graph = new Map<string, { to: string; text: string }[]>();
  for (const file of files) {
    const edges = findImports(readFileSync(file, 'utf8')).flatMap(({ specifier, text }) => {
      const to = resolveProjectFile(file, specifier);
      return to === undefined ? [] : [{ to, text }];
    });
    graph.set(file, edges);
  }
  return graph;
}

/** The cycles of a graph, each as the files around it (Tarjan's strongly connected components). */
function cyclesOf(graph: ReadonlyMap<string, readonly { to: string }[]>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const lowLinks = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string) => {
    indices.set(node, index);
    lowLinks.set(node, index);
    index += 1;
    stack.push(node);
    onStack.add(node);
    for (const { to } of graph.get(node) ?? []) {
      if (!indices.has(to)) {
        visit(to);
        lowLinks.set(node, Math.min(lowLinks.get(node) as number, lowLinks.get(to) as number));
      } else if (onStack.has(to)) {
        lowLinks.set(node, Math.min(lowLinks.get(node) as number, indices.get(to) as number));
      }
    }
    if (lowLinks.get(node) === indices.get(node)) {
      const component: string[] = [];
      for (;;) {
        const member = stack.pop() as string;
        onStack.delete(member);
        component.push(member);
        if (member === node) break;
      }
      const selfImport = (graph.get(node) ?? []).some(({ to }) => to === node);
      if (component.length > 1 || selfImport) cycles.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!indices.has(node)) visit(node);
  return cycles;
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

describe('the layer rules (so the real checks below cannot pass vacuously)', () => {
  it('refuses upward imports, type-only ones included, and a runtime importing the other', () => {
    expect(layerViolation('src/domain/cursor.ts', 'src/data/visit-reads.ts')).toBe('src/domain may not import src/data');
    expect(layerViolation('src/app/routes/home/route.tsx', 'src/data/database.ts')).toBe('src/app may not import src/data');
    expect(layerViolation('src/services/visit-store.ts', 'src/app/logging/logger.ts')).toBeDefined();
    expect(layerViolation('src/runtime/worker/request-database.ts', 'src/runtime/node/mysql-pool.ts')).toMatch(/other/);
    expect(layerViolation('src/runtime/node/main.ts', 'src/runtime/worker/index.ts')).toMatch(/other/);
    expect(layerViolation('src/ops/migrate.ts', 'src/dev/private-database.ts')).toBeDefined();
    expect(layerViolation('src/runtime/node/node-service.ts', 'src/ops/migrate.ts')).toBeDefined();
  });

  it('lets a folder import the ones below it, and entry points reach the tools', () => {
    expect(layerViolation('src/app/routes/home/route.tsx', 'src/services/visit-store.ts')).toBeUndefined();
    expect(layerViolation('src/data/visit-writes.ts', 'db/schema.ts')).toBeUndefined();
    expect(layerViolation('src/runtime/node/main.ts', 'src/dev/private-database.ts')).toBeUndefined();
    expect(layerViolation('src/ops/cli/db-backup.ts', 'src/dev/private-database.ts')).toBeUndefined();
    expect(layerViolation('src/dev/edge/dev-edge.ts', 'src/ops/migrate.ts')).toBeUndefined();
  });

  it('finds cycles, and only cycles', () => {
    const graph = new Map([
      ['a', [{ to: 'b' }]],
      ['b', [{ to: 'c' }]],
      ['c', [{ to: 'a' }]],
      ['d', [{ to: 'a' }]],
      ['e', [{ to: 'e' }]],
    ]);
    expect(cyclesOf(graph)).toEqual([['a', 'b', 'c'], ['e']]);
    expect(cyclesOf(new Map([['a', [{ to: 'b' }]]]))).toEqual([]);
  });
});

describe('the layout', () => {
  const files = [...sourceFiles(resolve(root, 'src')), ...sourceFiles(resolve(root, 'db'))];
  const graph = importGraph(files);

  it('is read whole: every area has files, and imports between them are seen', () => {
    for (const { area } of LAYERS)
      expect(
        files.some((file) => relative(root, file).startsWith(area)),
        area,
      ).toBe(true);
    expect([...graph.values()].flat().length).toBeGreaterThan(150);
  });

  it('has every folder import only the folders below it, and neither runtime the other', () => {
    const violations = [...graph].flatMap(([file, edges]) =>
      edges.flatMap(({ to, text }) => {
        const reason = layerViolation(relative(root, file), relative(root, to));
        return reason === undefined ? [] : [`${relative(root, file)}: ${text} (${reason})`];
      }),
    );
    expect(violations, `imports against the layers:\n${violations.join('\n')}`).toEqual([]);
  });

  it('has no circular imports', () => {
    const cycles = cyclesOf(graph).map((cycle) => cycle.map((file) => relative(root, file)).join(' → '));
    expect(cycles, `circular imports:\n${cycles.join('\n')}`).toEqual([]);
  });
});

describe('src/app/create-app.ts', () => {
  it('exports createApp', async () => {
    const module: Record<string, unknown> = await import('../src/app/create-app');
    expect(typeof module.createApp).toBe('function');
  });
});
