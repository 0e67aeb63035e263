import { describe, expect, it } from 'vitest';
import { normalizeAddress, parseTrustedProxies, resolveClientAddress, type TrustedProxies } from '../../src/domain/client-ip';

function proxies(value: string): TrustedProxies {
  const parsed = parseTrustedProxies(value);
  if (parsed === undefined) throw new Error(`TRUST_PROXY ${JSON.stringify(value)} did not parse`);
  return parsed;
}

/** Whether a lone peer is trusted: a trusted peer hands the client over to X-Forwarded-For. */
function trusts(list: TrustedProxies, peer: string): boolean {
  return resolveClientAddress(peer, '203.0.113.77', list) === '203.0.113.77';
}

describe('parseTrustedProxies', () => {
  it('trusts nobody for an empty or blank value', () => {
    for (const value of ['', '   ', ',', ' , ']) {
      const list = proxies(value);
      expect(list.ranges).toHaveLength(0);
      expect(trusts(list, '127.0.0.1')).toBe(false);
      expect(trusts(list, '10.0.0.1')).toBe(false);
    }
  });

  it('accepts single addresses, v4 and v6', () => {
    const list = proxies('10.0.0.1, 2001:db8::7');
    expect(list.ranges).toHaveLength(2);
    expect(trusts(list, '10.0.0.1')).toBe(true);
    expect(trusts(list, '10.0.0.2')).toBe(false);
    expect(trusts(list, '2001:db8::7')).toBe(true);
    expect(trusts(list, '2001:db8::8')).toBe(false);
  });

  it('accepts CIDR ranges, v4 and v6', () => {
    const list = proxies('172.16.0.0/12,2001:db8:1::/48');
    expect(trusts(list, '172.16.0.1')).toBe(true);
    expect(trusts(list, '172.31.255.254')).toBe(true);
    expect(trusts(list, '172.32.0.1')).toBe(false);
    expect(trusts(list, '2001:db8:1:ffff::1')).toBe(true);
    expect(trusts(list, '2001:db8:2::1')).toBe(false);
  });

  it('expands "loopback" to 127.0.0.0/8 and ::1', () => {
    const list = proxies('loopback');
    expect(trusts(list, '127.0.0.1')).toBe(true);
    expect(trusts(list, '127.200.3.4')).toBe(true);
    expect(trusts(list, '::1')).toBe(true);
    expect(trusts(list, '10.0.0.1')).toBe(false);
    expect(trusts(list, '192.168.1.1')).toBe(false);
  });

  it('expands "private" to the RFC 1918 and ULA ranges plus loopback', () => {
    const list = proxies('private');
    for (const address of ['10.1.2.3', '172.16.5.5', '192.168.0.10', 'fd00::1', '127.0.0.1', '::1']) {
      expect(trusts(list, address), address).toBe(true);
    }
    for (const address of ['8.8.8.8', '172.32.0.1', '192.169.0.1', '2001:db8::1', '100.64.0.1']) {
      expect(trusts(list, address), address).toBe(false);
    }
  });

  it('reads the named ranges in any case and mixes them with addresses', () => {
    const list = proxies(' LoopBack , PRIVATE, 203.0.113.0/24 ');
    expect(trusts(list, '127.0.0.1')).toBe(true);
    expect(trusts(list, '10.9.9.9')).toBe(true);
    expect(trusts(list, '203.0.113.200')).toBe(true);
    expect(trusts(list, '198.51.100.1')).toBe(false);
    expect(list.description).toBe('LoopBack , PRIVATE, 203.0.113.0/24');
  });

  it.each([
    'not-an-ip',
    'localhost',
    '10.0.0.0/33',
    '2001:db8::/129',
    '10.0.0.1, nonsense',
    'loopback,garbage',
    '300.1.1.1',
    '10.0.0.0/',
    '1.2.3.4:80',
  ])('returns undefined for %j', (value) => {
    expect(parseTrustedProxies(value)).toBeUndefined();
  });
});

describe('resolveClientAddress', () => {
  const loopback = proxies('loopback');
  const privateNetworks = proxies('private');

  it('ignores X-Forwarded-For from an untrusted peer', () => {
    expect(resolveClientAddress('198.51.100.7', '1.2.3.4', loopback)).toBe('198.51.100.7');
    expect(resolveClientAddress('198.51.100.7', '1.2.3.4', proxies(''))).toBe('198.51.100.7');
    expect(resolveClientAddress('127.0.0.1', '1.2.3.4', proxies(''))).toBe('127.0.0.1');
  });

  it('uses the peer when a trusted peer sends no header', () => {
    expect(resolveClientAddress('127.0.0.1', undefined, loopback)).toBe('127.0.0.1');
  });

  it('takes the right-most untrusted hop behind a trusted peer', () => {
    expect(resolveClientAddress('127.0.0.1', '203.0.113.5', loopback)).toBe('203.0.113.5');
    // A client-supplied (spoofed) entry on the left is not believed.
    expect(resolveClientAddress('127.0.0.1', '6.6.6.6, 203.0.113.5', loopback)).toBe('203.0.113.5');
    // Trusted hops on the right are skipped.
    expect(resolveClientAddress('10.0.0.1', '6.6.6.6, 203.0.113.5, 10.0.0.9, 192.168.1.1', privateNetworks)).toBe('203.0.113.5');
  });

  it('takes the left-most hop when every hop is trusted', () => {
    expect(resolveClientAddress('10.0.0.1', '10.0.0.7, 10.0.0.8, 10.0.0.9', privateNetworks)).toBe('10.0.0.7');
  });

  it('stops at the last good hop when it meets a garbage entry', () => {
    expect(resolveClientAddress('10.0.0.1', '203.0.113.5, garbage, 10.0.0.9', privateNetworks)).toBe('10.0.0.9');
    expect(resolveClientAddress('10.0.0.1', 'unknown, 10.0.0.9', privateNetworks)).toBe('10.0.0.9');
    expect(resolveClientAddress('10.0.0.1', 'garbage', privateNetworks)).toBe('10.0.0.1');
    expect(resolveClientAddress('10.0.0.1', '', privateNetworks)).toBe('10.0.0.1');
    expect(resolveClientAddress('10.0.0.1', '203.0.113.5:4711', privateNetworks)).toBe('10.0.0.1');
  });

  it('treats an IPv4-mapped peer as the IPv4 address, for trust and in the result', () => {
    expect(resolveClientAddress('::ffff:127.0.0.1', '203.0.113.5', loopback)).toBe('203.0.113.5');
    expect(resolveClientAddress('::ffff:127.0.0.1', undefined, loopback)).toBe('127.0.0.1');
    expect(resolveClientAddress('::ffff:198.51.100.7', '203.0.113.5', loopback)).toBe('198.51.100.7');
    expect(resolveClientAddress('127.0.0.1', '::ffff:203.0.113.5', loopback)).toBe('203.0.113.5');
  });

  it('trusts an IPv4-mapped peer listed as a mapped address in TRUST_PROXY', () => {
    expect(resolveClientAddress('127.0.0.1', '203.0.113.5', proxies('::ffff:127.0.0.1'))).toBe('203.0.113.5');
  });

  it('reports IPv6 addresses in RFC 5952 form', () => {
    expect(resolveClientAddress('2001:0DB8:0000:0000:0000:0000:0000:0001', undefined, loopback)).toBe('2001:db8::1');
    expect(resolveClientAddress('::1', '2001:DB8:0:0:1:0:0:1', loopback)).toBe('2001:db8::1:0:0:1');
    expect(resolveClientAddress('::1', '2001:db8:0:0:0:0:2:1', loopback)).toBe('2001:db8::2:1');
  });

  it('accepts bracketed IPv6 in the header and as the peer', () => {
    expect(resolveClientAddress('127.0.0.1', '[2001:db8::1]', loopback)).toBe('2001:db8::1');
    expect(resolveClientAddress('[::1]', '[2001:db8::5]', loopback)).toBe('2001:db8::5');
  });

  it('trims whitespace around hops', () => {
    expect(resolveClientAddress('127.0.0.1', '  203.0.113.5  ', loopback)).toBe('203.0.113.5');
  });

  it("is 'unknown' without a usable peer address", () => {
    expect(resolveClientAddress(undefined, '203.0.113.5', loopback)).toBe('unknown');
    expect(resolveClientAddress('', '203.0.113.5', loopback)).toBe('unknown');
    expect(resolveClientAddress('not-an-address', '203.0.113.5', loopback)).toBe('unknown');
  });
});

describe('normalizeAddress', () => {
  it.each([
    ['10.0.0.1', '10.0.0.1'],
    [' 10.0.0.1 ', '10.0.0.1'],
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['::FFFF:c000:0201', '192.0.2.1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['[::1]', '::1'],
    ['0:0:0:0:0:0:0:1', '::1'],
  ])('%j becomes %j', (text, canonical) => {
    expect(normalizeAddress(text)).toBe(canonical);
  });

  it.each(['', ' ', 'localhost', '1.2.3.4:80', '[::1]:80', '300.0.0.1', '2001:db8::g', '::1::2'])('rejects %j', (text) => {
    expect(normalizeAddress(text)).toBeUndefined();
  });
});

describe('strictness (regressions)', () => {
  it('matches an IPv4-mapped CIDR against the plain IPv4 peer it describes', () => {
    const proxies = parseTrustedProxies('::ffff:10.0.0.0/104');
    expect(proxies).toBeDefined();
    expect(resolveClientAddress('::ffff:10.0.0.5', '1.1.1.1', proxies ?? { description: '', ranges: [] })).toBe('1.1.1.1');
    expect(resolveClientAddress('10.0.0.5', '1.1.1.1', proxies ?? { description: '', ranges: [] })).toBe('1.1.1.1');
  });

  it('accepts only dotted-quad IPv4, not the legacy inet_aton forms', () => {
    for (const text of ['2130706433', '010.0.0.1', '1.2.3', '0x7f.0.0.1']) expect(normalizeAddress(text)).toBeUndefined();
    expect(parseTrustedProxies('2130706433')).toBeUndefined();
    expect(normalizeAddress('10.0.0.1')).toBe('10.0.0.1');
  });
});
