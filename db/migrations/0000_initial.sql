CREATE TABLE `bucket_visitors` (
	`bucket_start` datetime NOT NULL,
	`server_id` varchar(64) NOT NULL,
	`ip_address` varchar(45) NOT NULL,
	CONSTRAINT `bucket_visitors_bucket_start_server_id_ip_address_pk` PRIMARY KEY(`bucket_start`,`server_id`,`ip_address`)
);
--> statement-breakpoint
CREATE TABLE `visit_counters` (
	`bucket_start` datetime NOT NULL,
	`server_id` varchar(64) NOT NULL,
	`shard` tinyint unsigned NOT NULL,
	`requests` bigint unsigned NOT NULL DEFAULT 0,
	CONSTRAINT `visit_counters_bucket_start_server_id_shard_pk` PRIMARY KEY(`bucket_start`,`server_id`,`shard`)
);
--> statement-breakpoint
CREATE TABLE `visits` (
	`id` bigint unsigned AUTO_INCREMENT NOT NULL,
	`ip_address` varchar(45) NOT NULL,
	`user_agent` varchar(512) NOT NULL DEFAULT '',
	`server_id` varchar(64) NOT NULL,
	`visited_at` datetime(3) NOT NULL,
	`request_id` varchar(64),
	CONSTRAINT `visits_id` PRIMARY KEY(`id`),
	CONSTRAINT `visits_request_id` UNIQUE(`request_id`)
);
--> statement-breakpoint
CREATE INDEX `visits_visited_at_id` ON `visits` (`visited_at`,`id`);--> statement-breakpoint
CREATE INDEX `visits_server_visited_at_id` ON `visits` (`server_id`,`visited_at`,`id`);--> statement-breakpoint
CREATE ALGORITHM = undefined
SQL SECURITY definer
VIEW `visit_stats` AS (
  SELECT r.day, r.server_id, r.requests, COALESCE(u.unique_visitors, 0) AS unique_visitors
  FROM (
    SELECT DATE(bucket_start) AS day, server_id, SUM(requests) AS requests
    FROM visit_counters WHERE bucket_start > '1000-01-01' GROUP BY DATE(bucket_start), server_id
  ) AS r
  LEFT JOIN (
    SELECT DATE(bucket_start) AS day, server_id, COUNT(DISTINCT ip_address) AS unique_visitors
    FROM bucket_visitors GROUP BY DATE(bucket_start), server_id
  ) AS u ON u.day = r.day AND u.server_id = r.server_id
);