-- Runs before the database-level rollback, outside the level transactions, so it is not reverted.
INSERT INTO reorg_log (index_name, from_level, to_level, rolled_back_at)
VALUES (:index, :from_level, :to_level, :rolled_back_at);
