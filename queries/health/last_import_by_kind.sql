-- One row per kind of data: rows stored now and the last import that brought this kind.
-- Parameters: $tz (IANA zone for the import time).
-- Columns: kind, rows_n, last_import_id, last_imported_at (timestamp in $tz, null if never), last_file_name
with
kinds as (
    select 1 as position, 'leads' as kind, count(*) as rows_n from leads
    union all select 2, 'deals', count(*) from deals
    union all select 3, 'deal_stages', count(*) from deal_stages
    union all select 4, 'stages', count(*) from stages
    union all select 5, 'spend', count(*) from spend
    union all select 6, 'sessions', count(*) from sessions
    union all select 7, 'traffic', count(*) from traffic
    union all select 8, 'activities', count(*) from activities
    union all select 9, 'orders', count(*) from orders
    union all select 10, 'reviews', count(*) from reviews
    union all select 11, 'plans', count(*) from plans
),

log_kinds as (
    -- an import's kind is a list ('leads, deals'); the demo build writes 'all'
    select k.kind, l.import_id, l.imported_at, l.file_name,
    from import_log as l
    join kinds as k on l.kind = 'all' or list_contains(string_split(l.kind, ', '), k.kind)
    where l.undone_at is null
),

last_import as (
    select lk.kind, max(lk.import_id) as import_id,
        arg_max(lk.imported_at, lk.import_id) as imported_at,
        arg_max(lk.file_name, lk.import_id) as file_name,
    from log_kinds as lk
    group by lk.kind
),

final as (
    select k.position, k.kind, k.rows_n, li.import_id as last_import_id,
        timezone($tz, li.imported_at) as last_imported_at, li.file_name as last_file_name,
    from kinds as k
    left join last_import as li on li.kind = k.kind
)

-- in the order above, on every engine
select * exclude (position) from final order by position
