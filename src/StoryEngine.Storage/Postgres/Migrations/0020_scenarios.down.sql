DROP TABLE scenario_shares;
DROP TABLE scenario_versions;
DROP TABLE scenarios;
