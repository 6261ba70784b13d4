-- The span of the data: the first and the last business day anything happened on (leads, deals,
-- spend, sessions, traffic, orders), and when the last standing import was made.
-- The first business day of a table is the earliest day of its rows that started within two days
-- of its earliest instant (no later instant can fall on an earlier business day: a zone's offset
-- never drops by a day), and likewise for the last day — so only those few rows are converted to
-- the business zone, not millions.
-- Parameters: $tz (IANA zone of the business days).
-- Columns: first_day (date or null), last_day (date or null), last_import (timestamp in $tz or null)
with
days as (
    select min(day) as day from fact_leads_day
    union all select max(day) from fact_leads_day
    union all
    select cast(timezone($tz, created_at) as date)
    from deals where created_at < (select min(created_at) from deals) + interval 2 day
    union all
    select cast(timezone($tz, created_at) as date)
    from deals where created_at > (select max(created_at) from deals) - interval 2 day
    union all
    -- sessions and leads by the day facts, which have a row for every business day with any
    select min(day) from fact_sessions_day
    union all select max(day) from fact_sessions_day
    union all
    select cast(timezone($tz, ordered_at) as date)
    from orders where ordered_at < (select min(ordered_at) from orders) + interval 2 day
    union all
    select cast(timezone($tz, ordered_at) as date)
    from orders where ordered_at > (select max(ordered_at) from orders) - interval 2 day
    union all select min(date) from spend
    union all select max(date) from spend
    union all select min(date) from traffic
    union all select max(date) from traffic
),

final as (
    select
        (select min(day) from days) as first_day,
        (select max(day) from days) as last_day,
        (select timezone($tz, max(imported_at)) from import_log where undone_at is null) as last_import,
)

select * from final
