-- Bots (issue 5): new columns only, with constant defaults, so both servers add them without
-- copying the tables (instant ADD COLUMN on MySQL 8.4 and MariaDB 10.11). Rows written before
-- this migration read as humans: their user agents are not re-examined.
ALTER TABLE `bucket_visitors` ADD `is_bot` boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `visit_counters` ADD `bot_requests` bigint unsigned DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `visits` ADD `is_bot` boolean DEFAULT false NOT NULL;