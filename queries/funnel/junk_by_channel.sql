-- One row per channel with leads created in the period: how many of them were junk (METRICS.md
-- "Leads": junk rate = junk leads / leads).
-- Parameters: $from, $to (dates, inclusive, business time zone); $tz; $channels (varchar[]; empty = all).
-- Columns: channel, leads_n, junk_n, junk_rate_pct (junk_n / leads_n × 100); most leads first
with
flt as (
    select $channels::varchar[] as channels,
),

leads_in as (
    select l.channel, l.qualification,
    from leads as l, flt
    where timezone($tz, l.created_at)::date between $from and $to
      and (len(flt.channels) = 0 or list_contains(flt.channels, l.channel))
),

final as (
    select
        channel,
        count(*) as leads_n,
        count(*) filter (where qualification = 'junk') as junk_n,
        100.0 * count(*) filter (where qualification = 'junk') / count(*) as junk_rate_pct,
    from leads_in
    group by channel
)

select * from final order by leads_n desc, channel
