-- The newest standing (not undone) import of one sync source.
-- Parameters: $format (sync_<source>, as the sync records it in import_log.format).
-- Columns: import_id, imported_at (UTC timestamp), file_name, rows_n (rows the import wrote: added + replaced)
select
    import_id,
    timezone('UTC', imported_at) as imported_at,
    file_name,
    rows_added + rows_replaced as rows_n,
from import_log
where format = $format and undone_at is null
order by import_id desc
limit 1
