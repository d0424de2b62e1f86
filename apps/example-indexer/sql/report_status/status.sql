-- One row: the newest indexed transfer's block, and the holder and transfer counts.
SELECT
  (SELECT MAX(block_number) FROM transfer) AS level,
  (SELECT COUNT(*) FROM holder) AS holders,
  (SELECT COUNT(*) FROM transfer) AS transfers;
