import { defineConfig } from 'drizzle-kit';

// `db:generate` needs no database; `db:migrate` and `db:studio` read DATABASE_URL
// (a DDL-capable user: the migration user in Compose, never the app user).
export default defineConfig({
  dialect: 'mysql',
  schema: './db/schema.ts',
  out: './db/migrations',
  dbCredentials: { url: process.env.DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/visit_tracker' },
  strict: true,
  verbose: true,
});
