-- SQLite has no CREATE OR REPLACE VIEW: drop and create, to the same effect.
DROP VIEW IF EXISTS holder_ranking;
CREATE VIEW holder_ranking AS
SELECT RANK() OVER (ORDER BY balance DESC) AS rank, address, balance, transfers, last_block
FROM holder;
