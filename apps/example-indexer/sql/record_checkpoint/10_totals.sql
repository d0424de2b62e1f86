-- Runs inside the level's transaction (a savepoint of it): the counts are those of that transaction.
INSERT INTO checkpoint (level, holders, transfers)
SELECT
  CAST(:level AS INTEGER),
  (SELECT COUNT(*) FROM holder),
  (SELECT COUNT(*) FROM transfer WHERE block_number <= :level);
