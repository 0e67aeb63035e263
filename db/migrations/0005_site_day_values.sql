CREATE TABLE `site_day_values` (
	`site_id` int unsigned NOT NULL,
	`dimension` tinyint unsigned NOT NULL,
	`day` date NOT NULL,
	`value` varchar(512) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	`pageviews` bigint unsigned NOT NULL DEFAULT 0,
	`visitors` bigint unsigned NOT NULL DEFAULT 0,
	CONSTRAINT `site_day_values_site_id_dimension_day_value_pk` PRIMARY KEY(`site_id`,`dimension`,`day`,`value`)
);
--> statement-breakpoint
CREATE TABLE `site_visitor_values` (
	`site_id` int unsigned NOT NULL,
	`day` date NOT NULL,
	`visitor_hash` varchar(16) NOT NULL,
	`dimension` tinyint unsigned NOT NULL,
	`value` varchar(512) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	`batch` bigint unsigned NOT NULL,
	CONSTRAINT `site_visitor_values_site_id_day_visitor_hash_dimension_value_pk` PRIMARY KEY(`site_id`,`day`,`visitor_hash`,`dimension`,`value`)
);
--> statement-breakpoint
ALTER TABLE `sites` ADD `time_zone` varchar(64) DEFAULT 'UTC' NOT NULL;--> statement-breakpoint
-- Not CONVERT TO CHARACTER SET as in 0004: that would reset `value` to the charset's default
-- collation, which folds case. The table default and the hash column are utf8mb4 like the rest.
ALTER TABLE `site_day_values` DEFAULT CHARACTER SET utf8mb4;
--> statement-breakpoint
ALTER TABLE `site_visitor_values` DEFAULT CHARACTER SET utf8mb4, MODIFY `visitor_hash` varchar(16) CHARACTER SET utf8mb4 NOT NULL;
--> statement-breakpoint
-- The visitors already seen (0004's site_day_visitors, dropped by 0006), as dimension 0. Every
-- site so far is in UTC, so their days are the sites' days.
INSERT INTO `site_visitor_values` (`site_id`, `day`, `visitor_hash`, `dimension`, `value`, `batch`)
SELECT `site_id`, `day`, `visitor_hash`, 0, '', 0 FROM `site_day_visitors`;
--> statement-breakpoint
-- Which page, referrer and campaign values each visitor was already seen with (dimensions 1-5,
-- src/domain/site-dimensions.ts), from the events recorded before this migration.
INSERT IGNORE INTO `site_visitor_values` (`site_id`, `day`, `visitor_hash`, `dimension`, `value`, `batch`)
SELECT DISTINCT `site_id`, DATE(`occurred_at`), `visitor_hash`, `dimension`, `value`, 0 FROM (
  SELECT `site_id`, `occurred_at`, `visitor_hash`, 1 AS `dimension`, `path` AS `value` FROM `site_events` WHERE `is_bot` = 0
  UNION ALL SELECT `site_id`, `occurred_at`, `visitor_hash`, 2, `referrer_host` FROM `site_events` WHERE `is_bot` = 0 AND `referrer_host` IS NOT NULL
  UNION ALL SELECT `site_id`, `occurred_at`, `visitor_hash`, 3, `utm_source` FROM `site_events` WHERE `is_bot` = 0 AND `utm_source` IS NOT NULL
  UNION ALL SELECT `site_id`, `occurred_at`, `visitor_hash`, 4, `utm_medium` FROM `site_events` WHERE `is_bot` = 0 AND `utm_medium` IS NOT NULL
  UNION ALL SELECT `site_id`, `occurred_at`, `visitor_hash`, 5, `utm_campaign` FROM `site_events` WHERE `is_bot` = 0 AND `utm_campaign` IS NOT NULL
) AS `seen`;
--> statement-breakpoint
-- The day figures of the events recorded before this migration: page views per value, and the
-- distinct visitors per value and day (what the writer's rows add up to, one per visitor and day).
INSERT INTO `site_day_values` (`site_id`, `dimension`, `day`, `value`, `pageviews`, `visitors`)
SELECT `site_id`, `dimension`, DATE(`occurred_at`), `value`, COUNT(*), COUNT(DISTINCT `visitor_hash`) FROM (
  SELECT `site_id`, `occurred_at`, `visitor_hash`, 0 AS `dimension`, '' AS `value` FROM `site_events` WHERE `is_bot` = 0
  UNION ALL SELECT `site_id`, `occurred_at`, `visitor_hash`, 1, `path` FROM `site_events` WHERE `is_bot` = 0
  UNION ALL SELECT `site_id`, `occurred_at`, `visitor_hash`, 2, `referrer_host` FROM `site_events` WHERE `is_bot` = 0 AND `referrer_host` IS NOT NULL
  UNION ALL SELECT `site_id`, `occurred_at`, `visitor_hash`, 3, `utm_source` FROM `site_events` WHERE `is_bot` = 0 AND `utm_source` IS NOT NULL
  UNION ALL SELECT `site_id`, `occurred_at`, `visitor_hash`, 4, `utm_medium` FROM `site_events` WHERE `is_bot` = 0 AND `utm_medium` IS NOT NULL
  UNION ALL SELECT `site_id`, `occurred_at`, `visitor_hash`, 5, `utm_campaign` FROM `site_events` WHERE `is_bot` = 0 AND `utm_campaign` IS NOT NULL
  UNION ALL SELECT `site_id`, `occurred_at`, `visitor_hash`, 6, `browser` FROM `site_events` WHERE `is_bot` = 0
  UNION ALL SELECT `site_id`, `occurred_at`, `visitor_hash`, 7, `os` FROM `site_events` WHERE `is_bot` = 0
  UNION ALL SELECT `site_id`, `occurred_at`, `visitor_hash`, 8, `device` FROM `site_events` WHERE `is_bot` = 0
  UNION ALL SELECT `site_id`, `occurred_at`, `visitor_hash`, 9, `country` FROM `site_events` WHERE `is_bot` = 0 AND `country` IS NOT NULL
) AS `viewed`
GROUP BY `site_id`, `dimension`, DATE(`occurred_at`), `value`;
