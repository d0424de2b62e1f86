-- The previous ranking of this scope goes; the hook is not atomic, so readers may see it empty briefly.
DELETE FROM top_holder WHERE scope = CASE WHEN :major THEN 'major' ELSE 'minor' END;
