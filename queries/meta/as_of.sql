-- The last business day the data knows anything about: a lead or deal created, a deal moved or
-- closed, spend, a session, a traffic day, an order. A cohort is followed up to this day (capped at
-- today by the caller), so a comparison cohort is counted up to as many days after its period.
-- Parameters: $tz (IANA zone of the business days).
-- Columns: last_day (date or null when nothing is imported)
with
days as (
    select max(cast(timezone($tz, created_at) as date)) as day from leads
    union all select max(cast(timezone($tz, created_at) as date)) from deals
    union all select max(cast(timezone($tz, closed_at) as date)) from deals
    union all select max(cast(timezone($tz, entered_at) as date)) from deal_stages
    union all select max(date) from spend
    union all select max(cast(timezone($tz, started_at) as date)) from sessions
    union all select max(date) from traffic
    union all select max(cast(timezone($tz, ordered_at) as date)) from orders
)

select max(day) as last_day from days
