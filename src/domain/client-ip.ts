import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Range = [Address, number];

/** The proxies whose X-Forwarded-For we believe; an empty list trusts nobody. */
export interface TrustedProxies {
  readonly description: string;
  readonly ranges: readonly Range[];
}

const NAMED_RANGES: Record<string, readonly string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  private: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7', '127.0.0.0/8', '::1/128'],
};

/**
 * Parses TRUST_PROXY: a comma-separated list of addresses, CIDR ranges and the words
 * `loopback` and `private`. Returns undefined when any entry is not one of those.
 */
export function parseTrustedProxies(value: string): TrustedProxies | undefined {
  const ranges: Range[] = [];
  for (const entry of value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const expanded = NAMED_RANGES[entry.toLowerCase()] ?? [entry];
    for (const item of expanded) {
      const range = parseRange(item);
      if (range === undefined) return undefined;
      ranges.push(range);
    }
  }
  return { description: value.trim(), ranges };
}

function parseRange(item: string): Range | undefined {
  try {
    if (item.includes('/')) {
      const [network, bits] = ipaddr.parseCIDR(item);
      if (!isStrictAddress(item.slice(0, item.indexOf('/')))) return undefined;
      // An IPv4-mapped range (::ffff:10.0.0.0/104) must match the plain IPv4 addresses
      // that unmap() turns mapped peers into.
      const mapped = network.kind() === 'ipv6' && (network as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96;
      return mapped ? [(network as ipaddr.IPv6).toIPv4Address(), bits - 96] : [network, bits];
    }
    const address = parseAddress(item);
    if (address === undefined) return undefined;
    return [address, address.kind() === 'ipv4' ? 32 : 128];
  } catch {
    return undefined;
  }
}

/** IPv4-mapped IPv6 (::ffff:10.0.0.1, what a dual-stack socket reports) becomes plain IPv4. */
function unmap(address: Address): Address {
  return address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()
    ? (address as ipaddr.IPv6).toIPv4Address()
    : address;
}

/**
 * Dotted-quad IPv4 or IPv6 only. ipaddr.js also accepts the legacy forms inet_aton did
 * (2130706433, 010.0.0.1 as octal, 1.2.3), which no proxy writes; treating them as
 * addresses would let odd header values be rewritten into real ones.
 */
function isStrictAddress(text: string): boolean {
  return text.includes(':') ? ipaddr.IPv6.isValid(text) : ipaddr.IPv4.isValidFourPartDecimal(text);
}

function parseAddress(text: string): Address | undefined {
  const trimmed = text.trim().replace(/^\[(.*)\]$/, '$1');
  if (!isStrictAddress(trimmed)) return undefined;
  try {
    return unmap(ipaddr.parse(trimmed));
  } catch {
    return undefined;
  }
}

/**
 * A country code as Cloudflare (request.cf.country, CF-IPCountry) and GeoIP modules write it, or
 * null where it names none: "XX" is unknown, "T1" Tor, anything else not two letters is noise.
 */
export function countryOf(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const code = value.trim().toUpperCase();
  return /^[A-Z]{2}$/.test(code) && code !== 'XX' ? code : null;
}

/** Whether the socket's peer is one of the trusted proxies: only then are its headers about the client believed. */
export function isTrustedPeer(peer: string | undefined, proxies: TrustedProxies): boolean {
  const address = peer === undefined ? undefined : parseAddress(peer);
  return address !== undefined && isTrusted(address, proxies);
}

function isTrusted(address: Address, proxies: TrustedProxies): boolean {
  return proxies.ranges.some(([network, bits]) => network.kind() === address.kind() && address.match(network, bits));
}

/** Canonical text for an address: dotted IPv4, RFC 5952 IPv6. */
export function formatAddress(address: Address): string {
  return address.kind() === 'ipv6' ? (address as ipaddr.IPv6).toRFC5952String() : address.toString();
}

/** The canonical form of an address string, or undefined when it is not an IP address. */
export function normalizeAddress(text: string): string | undefined {
  const address = parseAddress(text);
  return address === undefined ? undefined : formatAddress(address);
}

/**
 * The client's address. The socket peer is the truth unless the peer is a trusted proxy;
 * then X-Forwarded-For is read from the right, skipping trusted hops, and the first
 * untrusted address is the client. A header from an untrusted peer is ignored, so a direct
 * client cannot spoof its address. Unparseable entries stop the walk at the last good hop.
 */
export function resolveClientAddress(
  peer: string | undefined,
  forwardedFor: string | undefined,
  proxies: TrustedProxies,
): string {
  const peerAddress = peer === undefined ? undefined : parseAddress(peer);
  if (peerAddress === undefined) return 'unknown';
  let client = peerAddress;
  if (forwardedFor === undefined || !isTrusted(peerAddress, proxies)) return formatAddress(client);
  const hops = forwardedFor.split(',').reverse();
  for (const hop of hops) {
    const address = parseAddress(hop);
    if (address === undefined) break;
    client = address;
    if (!isTrusted(address, proxies)) break;
  }
  return formatAddress(client);
}
