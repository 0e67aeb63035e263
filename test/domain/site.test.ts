import { describe, expect, it } from 'vitest';
import { normalizeSiteDomain, originMatchesSite } from '../../src/domain/site';

describe('site domains', () => {
  it.each([
    ['example.com', 'example.com'],
    ['  Example.COM  ', 'example.com'],
    ['www.example.com', 'example.com'],
    ['example.com.', 'example.com'],
    ['blog.example.co.uk', 'blog.example.co.uk'],
    ['localhost:5173', 'localhost:5173'],
    ['example.com:443', 'example.com'],
    ['example.com:80', 'example.com'],
    ['127.0.0.1:8080', '127.0.0.1:8080'],
    ['xn--bcher-kva.example', 'xn--bcher-kva.example'],
  ])('keeps %j as %j', (input, domain) => {
    expect(normalizeSiteDomain(input)).toEqual({ ok: true, domain });
  });

  it.each([
    ['', 'is empty'],
    ['https://example.com/pricing', 'give only the host, e.g. example.com'],
    ['example.com/blog', 'is a URL'],
    ['exa mple.com', 'is not a host name'],
    ['-example.com', 'is not a host name'],
    ['example..com', 'is not a host name'],
    ['example.com:0', 'bad port'],
    ['example.com:99999', 'bad port'],
    ['example.com:http', 'bad port'],
    ['[::1]:8080', 'is not a host name'],
    ['999.1.1.1', 'is not a host name or an IPv4 address'],
    [`${'a'.repeat(64)}.com`, 'is not a host name'],
  ])('refuses %j, saying it %s', (input, reason) => {
    const check = normalizeSiteDomain(input);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.reason).toContain(reason);
  });
});

describe('origins of a site', () => {
  it.each([
    ['https://example.com', 'example.com'],
    ['http://example.com', 'example.com'],
    ['https://www.example.com', 'example.com'],
    ['https://example.com:443', 'example.com'],
    ['http://localhost:5173', 'localhost:5173'],
    ['http://www.localhost:5173', 'localhost:5173'],
  ])('accepts %s for %s', (origin, domain) => {
    expect(originMatchesSite(origin, domain)).toBe(true);
  });

  it.each([
    ['https://blog.example.com', 'example.com'],
    ['https://example.com.evil.test', 'example.com'],
    ['https://evilexample.com', 'example.com'],
    ['https://example.com:8443', 'example.com'],
    ['http://localhost:5174', 'localhost:5173'],
    ['http://localhost', 'localhost:5173'],
    ['ftp://example.com', 'example.com'],
    ['null', 'example.com'],
    ['https://user@example.com', 'example.com'],
    ['', 'example.com'],
  ])('refuses %s for %s', (origin, domain) => {
    expect(originMatchesSite(origin, domain)).toBe(false);
  });
});
