DROP TABLE rate_windows;
DROP TABLE narration_leases;
