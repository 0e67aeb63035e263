CREATE TABLE `sites` (
	`id` int unsigned AUTO_INCREMENT NOT NULL,
	`domain` varchar(259) NOT NULL,
	`name` varchar(100) NOT NULL,
	`is_public` boolean NOT NULL DEFAULT false,
	`created_at` datetime(3) NOT NULL,
	CONSTRAINT `sites_id` PRIMARY KEY(`id`),
	CONSTRAINT `sites_domain` UNIQUE(`domain`)
);
--> statement-breakpoint
-- As in 0001: the server's default character set may be latin1, and a site's name may hold any character.
ALTER TABLE `sites` CONVERT TO CHARACTER SET utf8mb4;
