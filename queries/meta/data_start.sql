-- One row: the first day of the imported data (METRICS.md "Periods": a comparison period the
-- imported data does not cover is named as such, never shown as a change). It is the earliest day
-- with a lead, ad spend, a web visit (raw session or daily traffic) or an order, in the business
-- time zone: a comparison period starting before it reaches into days nothing was imported for.
-- Parameters: $tz (business time zone).
-- Columns: data_start (date; null when nothing is imported)
with
firsts as (
    -- leads and sessions by their day facts (a row for every business day with any)
    select min(day) as first_day from fact_leads_day
    union all
    select min(date) from spend
    union all
    select min(day) from fact_sessions_day
    union all
    select min(date) from traffic
    union all
    select timezone($tz, min(ordered_at))::date from orders
),

final as (
    select min(first_day) as data_start from firsts
)

select * from final
