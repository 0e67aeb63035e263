import { defineConfig } from 'drizzle-kit';

// `db:generate` needs no database. `npm run db:studio` (src/dev/studio.ts) sets DATABASE_URL to
// the configured database or to npm start's private one; for drizzle-kit's other commands set it
// yourself, to a DDL-capable user (the migration user in Compose, never the app user).
export default defineConfig({
  dialect: 'mysql',
  schema: './db/schema.ts',
  out: './db/migrations',
  dbCredentials: { url: process.env.DATABASE_URL ?? '' },
  strict: true,
  verbose: true,
});
