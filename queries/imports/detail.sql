-- One row: the stored detail of one import (per-kind counts, first rejected rows, notes) as JSON.
-- Parameters: $import_id
-- Columns: import_id, file_name, detail (JSON text)
with
final as (
    select l.import_id, l.file_name, l.detail,
    from import_log as l
    where l.import_id = $import_id
)

select * from final
