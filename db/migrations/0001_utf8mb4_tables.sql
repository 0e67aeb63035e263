-- drizzle-kit cannot declare a table character set, and a server's default may still be
-- latin1 (older MariaDB builds, some managed databases). Force utf8mb4 so 4-byte characters
-- in user agents survive. No collation is named: MySQL 8.4 picks utf8mb4_0900_ai_ci and
-- MariaDB 10.11 utf8mb4_general_ci, and the 0900 collations do not exist on MariaDB.
ALTER TABLE `visits` CONVERT TO CHARACTER SET utf8mb4;
--> statement-breakpoint
ALTER TABLE `visit_counters` CONVERT TO CHARACTER SET utf8mb4;
--> statement-breakpoint
ALTER TABLE `bucket_visitors` CONVERT TO CHARACTER SET utf8mb4;
