-- One row per channel with leads created in the period: how many of them were junk (METRICS.md
-- "Leads": junk rate = junk leads / leads).
-- Parameters: $from, $to (dates, inclusive, business time zone); $tz; $channels (varchar[]; empty = all).
-- Columns: channel, leads_n, junk_n, junk_rate_pct (junk_n / leads_n × 100); most leads first
with
-- leads and junk leads per business day and channel: the fact fact_leads_day (queries/facts/)
final as (
    select
        l.channel,
        sum(l.leads_n)::bigint as leads_n,
        sum(l.junk_n)::bigint as junk_n,
        100.0 * sum(l.junk_n)::bigint / sum(l.leads_n)::bigint as junk_rate_pct,
    from fact_leads_day as l
    where l.day between $from and $to
      and (len($channels::varchar[]) = 0 or list_contains($channels::varchar[], l.channel))
    group by l.channel
)

select * from final order by leads_n desc, channel
