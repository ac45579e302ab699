DROP TABLE mail_opt_outs;
DROP TABLE notifications;
