DROP TABLE community_digests;
DROP TABLE digest_runs;
DROP TABLE digest_overrides;
DROP TABLE digest_settings;
