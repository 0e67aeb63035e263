ALTER TABLE `visits` ADD `request_id` varchar(64);--> statement-breakpoint
ALTER TABLE `visits` ADD CONSTRAINT `visits_request_id` UNIQUE(`request_id`);