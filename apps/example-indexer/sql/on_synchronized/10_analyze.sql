-- The tables grew a lot during the catch-up: refresh the query planner's statistics.
ANALYZE;
