-- One row per setting.
-- Columns: key, value
select key, value from settings order by key
