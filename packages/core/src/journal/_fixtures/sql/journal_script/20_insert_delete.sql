INSERT INTO named (id, name, value) VALUES (:id, :label, 1);
DELETE FROM named WHERE value > 100;
