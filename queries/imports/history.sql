-- One row per import, newest first.
-- Parameters: $tz (IANA zone the times are shown in).
-- Columns: import_id, imported_at (timestamp in $tz), file_name, checksum, format, kind,
--   rows_read_n, rows_added_n, rows_replaced_n, rows_rejected_n, undone_at (timestamp in $tz or null),
--   imported_by, undone_by (the signed-in e-mail, else the computer's user name; null before schema 12)
with
log as (
    select * from import_log
),

final as (
    select
        l.import_id,
        timezone($tz, l.imported_at) as imported_at,
        l.file_name,
        l.checksum,
        l.format,
        l.kind,
        l.rows_read as rows_read_n,
        l.rows_added as rows_added_n,
        l.rows_replaced as rows_replaced_n,
        l.rows_rejected as rows_rejected_n,
        timezone($tz, l.undone_at) as undone_at,
        l.imported_by,
        l.undone_by,
    from log as l
    order by l.import_id desc
)

select * from final
