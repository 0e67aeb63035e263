import { describe, expect, it } from 'vitest';
import { configError, parse } from '../support/config';

/** DATABASE_READ_URL and DB_READ_TIMEOUT_MS as src/config/node.ts parses them. */

describe('DATABASE_READ_URL', () => {
  it('is optional: without it every read goes to the primary', () => {
    const config = parse({});
    expect(config.replicas.replicas).toEqual([]);
    expect(config.replicas.readTimeoutMs).toBe(2_000);
  });

  it('takes one or more URLs, separated by commas, with DB_TLS unless a URL says otherwise', () => {
    const config = parse({
      DATABASE_READ_URL:
        ' mysql://reader:s3cret@replica-1:3307/visit_tracker , mysql://reader:s3cret@replica-2/visit_tracker?ssl-mode=DISABLED,',
      DB_TLS: 'verify',
      DB_READ_TIMEOUT_MS: '750',
    });
    expect(config.replicas.replicas).toEqual([
      { host: 'replica-1', port: 3307, database: 'visit_tracker', user: 'reader', password: 's3cret', tls: 'verify' },
      { host: 'replica-2', port: 3306, database: 'visit_tracker', user: 'reader', password: 's3cret', tls: 'off' },
    ]);
    expect(config.replicas.readTimeoutMs).toBe(750);
  });

  it('names the variable and hides every password when a URL is bad', () => {
    const error = configError({
      DATABASE_READ_URL: 'mysql://reader:first-secret@replica-1/visit_tracker,postgres://reader:second-secret@replica-2/db',
    });
    expect(error.problems).toEqual([expect.stringMatching(/^DATABASE_READ_URL: expected mysql:\/\/ URLs separated by commas/)]);
    expect(error.message).not.toContain('first-secret');
    expect(error.message).not.toContain('second-secret');
    expect(error.message).toContain('mysql://reader:***@replica-1');
  });

  it('names the variable when a URL has no database name or a bad ssl-mode', () => {
    expect(configError({ DATABASE_READ_URL: 'mysql://reader:pw@replica-1:3306' }).problems).toEqual([
      expect.stringMatching(/^DATABASE_READ_URL: expected a database name/),
    ]);
    expect(configError({ DATABASE_READ_URL: 'mysql://reader:pw@replica-1/db?ssl-mode=SOMETIMES' }).problems).toEqual([
      expect.stringMatching(/^DATABASE_READ_URL: ssl-mode must be/),
    ]);
  });

  it('rejects a list with no URL in it', () => {
    expect(configError({ DATABASE_READ_URL: ' , ' }).problems).toEqual([expect.stringMatching(/^DATABASE_READ_URL: /)]);
  });

  it('bounds DB_READ_TIMEOUT_MS', () => {
    expect(configError({ DB_READ_TIMEOUT_MS: '10' }).problems).toEqual([
      expect.stringMatching(/^DB_READ_TIMEOUT_MS: expected a whole number from 50 to 120000/),
    ]);
  });
});
