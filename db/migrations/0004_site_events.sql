CREATE TABLE `site_counters` (
	`site_id` int unsigned NOT NULL,
	`bucket_start` datetime NOT NULL,
	`shard` tinyint unsigned NOT NULL,
	`pageviews` bigint unsigned NOT NULL DEFAULT 0,
	`visitors` bigint unsigned NOT NULL DEFAULT 0,
	CONSTRAINT `site_counters_site_id_bucket_start_shard_pk` PRIMARY KEY(`site_id`,`bucket_start`,`shard`)
);
--> statement-breakpoint
CREATE TABLE `site_day_visitors` (
	`site_id` int unsigned NOT NULL,
	`day` date NOT NULL,
	`visitor_hash` varchar(16) NOT NULL,
	CONSTRAINT `site_day_visitors_site_id_day_visitor_hash_pk` PRIMARY KEY(`site_id`,`day`,`visitor_hash`)
);
--> statement-breakpoint
CREATE TABLE `site_events` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`site_id` int unsigned NOT NULL,
	`occurred_at` datetime(3) NOT NULL,
	`path` varchar(512) NOT NULL,
	`referrer_host` varchar(253),
	`utm_source` varchar(128),
	`utm_medium` varchar(128),
	`utm_campaign` varchar(128),
	`browser` varchar(32) NOT NULL,
	`os` varchar(32) NOT NULL,
	`device` varchar(8) NOT NULL,
	`country` varchar(2),
	`visitor_hash` varchar(16) NOT NULL,
	`is_bot` boolean NOT NULL DEFAULT false,
	CONSTRAINT `site_events_id` PRIMARY KEY(`id`)
);
--> statement-breakpoint
CREATE TABLE `visitor_keys` (
	`day` date NOT NULL,
	`secret` varchar(64) NOT NULL,
	CONSTRAINT `visitor_keys_day` PRIMARY KEY(`day`)
);
--> statement-breakpoint
CREATE INDEX `site_events_site_occurred_at_id` ON `site_events` (`site_id`,`occurred_at`,`id`);--> statement-breakpoint
-- As in 0001: UTM values may hold any character; the other tables for consistency.
ALTER TABLE `site_events` CONVERT TO CHARACTER SET utf8mb4;
--> statement-breakpoint
ALTER TABLE `site_counters` CONVERT TO CHARACTER SET utf8mb4;
--> statement-breakpoint
ALTER TABLE `site_day_visitors` CONVERT TO CHARACTER SET utf8mb4;
--> statement-breakpoint
ALTER TABLE `visitor_keys` CONVERT TO CHARACTER SET utf8mb4;
