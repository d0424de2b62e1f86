-- Non-destructive, as on_restart scripts should be: the view is replaced on every start.
CREATE OR REPLACE VIEW holder_ranking AS
SELECT RANK() OVER (ORDER BY balance DESC) AS rank, address, balance, transfers, last_block
FROM holder;
