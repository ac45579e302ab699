DROP TABLE received_attachments;
