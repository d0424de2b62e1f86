-- The top :depth holders by balance (ties by address). Balances are zero-padded text on SQLite and
-- numeric(78,0) on PostgreSQL: both sort numerically.
INSERT INTO top_holder (scope, rank, address, balance, level)
SELECT
  CASE WHEN :major THEN 'major' ELSE 'minor' END,
  ROW_NUMBER() OVER (ORDER BY balance DESC, address),
  address,
  balance,
  (SELECT COALESCE(MAX(block_number), -1) FROM transfer)
FROM holder
ORDER BY balance DESC, address
LIMIT :depth;
