DROP TABLE instance_software;
