-- Replaced by site_visitor_values (dimension 0), into which 0005 copied its rows.
DROP TABLE `site_day_visitors`;
