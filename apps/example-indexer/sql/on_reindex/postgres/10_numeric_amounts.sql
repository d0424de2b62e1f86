-- The models declare amounts as 78-digit text (exact on SQLite); PostgreSQL has an exact type for
-- uint256, so use it. The tables are empty here: on_reindex runs right after they are created.
ALTER TABLE transfer ALTER COLUMN value TYPE numeric(78, 0) USING value::numeric;
ALTER TABLE holder ALTER COLUMN balance TYPE numeric(78, 0) USING balance::numeric;
ALTER TABLE top_holder ALTER COLUMN balance TYPE numeric(78, 0) USING balance::numeric;
ALTER TABLE alert ALTER COLUMN value TYPE numeric(78, 0) USING value::numeric;
