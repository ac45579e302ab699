DROP TABLE instance_actor;
DROP TABLE community_members;
DROP TABLE communities;
DROP TABLE sessions;
DROP TABLE local_users;
DROP TABLE persons;
DROP TABLE actor_names;
