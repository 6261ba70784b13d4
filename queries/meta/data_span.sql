-- The span of the data: the first and the last business day anything happened on (leads, deals,
-- spend, sessions, traffic, orders), and when the last standing import was made.
-- Parameters: $tz (IANA zone of the business days).
-- Columns: first_day (date or null), last_day (date or null), last_import (timestamp in $tz or null)
with
days as (
    select cast(timezone($tz, created_at) as date) as day from leads
    union all select cast(timezone($tz, created_at) as date) from deals
    union all select date from spend
    union all select cast(timezone($tz, started_at) as date) from sessions
    union all select date from traffic
    union all select cast(timezone($tz, ordered_at) as date) from orders
),

final as (
    select
        (select min(day) from days) as first_day,
        (select max(day) from days) as last_day,
        (select timezone($tz, max(imported_at)) from import_log where undone_at is null) as last_import,
)

select * from final
