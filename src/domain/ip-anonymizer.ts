import ipaddr from 'ipaddr.js';
import { normalizeAddress } from './client-ip';
import { type KeyedHash, type KeyedHashing, webCryptoHashing } from './keyed-hash';
import { todayIn } from './time';

/**
 * How a client address is stored (IP_ANONYMIZE). `truncate` keeps the network, not the host:
 * IPv4 /24, IPv6 /48. `hash` keeps a keyed daily pseudonym: the same address gives the same
 * value all day, so unique visitors still count, but not across days, and without the key it
 * cannot be reversed.
 */
export type IpAnonymization = { mode: 'off' } | { mode: 'truncate' } | { mode: 'hash'; key: string };

export const IP_ANONYMIZATION_MODES = ['off', 'truncate', 'hash'] as const;

/** A shorter key is guessable by brute force, and the whole point of the key is that it is not. */
export const IP_HASH_KEY_MIN_LENGTH = 32;

/** Hex characters kept of the HMAC: 64 bits, collision-free in practice for a day's visitors, and short to index. */
export const IP_HASH_HEX_LENGTH = 16;

const IPV4_KEPT_BITS = 24;
const IPV6_KEPT_BITS = 48;

/** Turns a client address into what is stored, given the instant of the visit. */
export type IpAnonymizer = (address: string, at: Date) => Promise<string>;

/**
 * The network part of an address: 203.0.113.77 → 203.0.113.0, 2001:db8:abcd:12::1 → 2001:db8:abcd::.
 * IPv4-mapped IPv6 counts as IPv4. Anything that is not an address ('unknown') is kept as is:
 * it identifies nobody.
 */
export function truncateAddress(address: string): string {
  const canonical = normalizeAddress(address);
  if (canonical === undefined) return address;
  const parsed = ipaddr.parse(canonical);
  const mask = (
    parsed.kind() === 'ipv4'
      ? ipaddr.IPv4.subnetMaskFromPrefixLength(IPV4_KEPT_BITS)
      : ipaddr.IPv6.subnetMaskFromPrefixLength(IPV6_KEPT_BITS)
  ).toByteArray();
  const masked = parsed.toByteArray().map((byte, index) => byte & (mask[index] ?? 0));
  const network = ipaddr.fromByteArray(masked);
  return network.kind() === 'ipv6' ? (network as ipaddr.IPv6).toRFC5952String() : network.toString();
}

/**
 * HMAC-SHA-256 over the day and the canonical address, keyed with IP_HASH_KEY, as a hex prefix.
 * The day is part of the message, so a visitor's value changes at midnight and days cannot be
 * joined; the key is secret, so the 2^32 IPv4 addresses cannot simply be tried one by one.
 */
export async function hashAddress(address: string, hash: KeyedHash, day: string): Promise<string> {
  const canonical = normalizeAddress(address) ?? address;
  return (await hash(`${day}\n${canonical}`)).slice(0, IP_HASH_HEX_LENGTH);
}

/**
 * The anonymizer for a setting. The hash day is the local day in `timeZone` (APP_TIMEZONE), so
 * a visitor is one value for the whole of the dashboard's "today" and /api/stats' default day.
 */
export function createIpAnonymizer(
  setting: IpAnonymization,
  timeZone: string,
  hashing: KeyedHashing = webCryptoHashing,
): IpAnonymizer {
  switch (setting.mode) {
    case 'off':
      return async (address) => address;
    case 'truncate':
      return async (address) => truncateAddress(address);
    case 'hash': {
      // Imported on first use: workerd refuses some work in the global scope, and Node does not mind.
      let hash: Promise<KeyedHash> | undefined;
      return async (address, at) => {
        hash ??= hashing(setting.key);
        return hashAddress(address, await hash, todayIn(timeZone, at));
      };
    }
  }
}
