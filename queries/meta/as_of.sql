-- The last business day the data knows anything about: a lead or deal created, a deal moved or
-- closed, spend, a session, a traffic day, an order. A cohort is followed up to this day (capped at
-- today by the caller), so a comparison cohort is counted up to as many days after its period.
-- Only the rows of the last two days (in instants) of each column are turned into business days: a
-- row earlier than that cannot fall on a later business day than the last row, as no two offsets of
-- a zone differ by two days (10 million sessions need not all be converted to find the newest day).
-- Parameters: $tz (IANA zone of the business days).
-- Columns: last_day (date or null when nothing is imported)
with
days as (
    -- leads and sessions by their day facts (a row for every business day with any)
    select max(day) as day from fact_leads_day
    union all select max(cast(timezone($tz, created_at) as date)) from deals
    where created_at >= (select max(created_at) from deals) - interval 2 days
    union all select max(cast(timezone($tz, closed_at) as date)) from deals
    where closed_at >= (select max(closed_at) from deals) - interval 2 days
    union all select max(cast(timezone($tz, entered_at) as date)) from deal_stages
    where entered_at >= (select max(entered_at) from deal_stages) - interval 2 days
    union all select max(date) from spend
    union all select max(day) from fact_sessions_day
    union all select max(date) from traffic
    union all select max(cast(timezone($tz, ordered_at) as date)) from orders
    where ordered_at >= (select max(ordered_at) from orders) - interval 2 days
)

select max(day) as last_day from days
