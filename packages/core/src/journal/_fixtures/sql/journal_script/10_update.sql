-- Raises every value and renames one row: an UPDATE of several rows and one of a key column.
UPDATE named SET value = value + :delta;
UPDATE named SET name = name || '; renamed by a script' WHERE name = :name;
