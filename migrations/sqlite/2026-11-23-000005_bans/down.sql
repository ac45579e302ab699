DROP TABLE community_bans;
