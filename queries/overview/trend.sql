-- One row per bucket of the period (every bucket, zeros where nothing happened), cash view.
-- Channel filter as in queries/overview/headline.sql (won deals by their attributed channel).
-- Parameters: $from, $to (dates, inclusive, business time zone); $tz; $grain ('day', 'week',
--   'month'; whitelisted by the caller); $channels (varchar[]; empty = all); $currency.
-- Columns: bucket (date, first day of the bucket), spend (in $currency), leads, target_leads,
--   won_deals, revenue (in $currency)
with
flt as (
    select $channels::varchar[] as channels,
),

days as (
    select d::date as day, date_trunc($grain, d::date)::date as bucket,
    from range($from::date, $to::date + interval 1 day, interval 1 day) as r(d)
),

spend_by_day as (
    select s.date as day, sum(s.spend)::double as spend_amount,
    from spend as s, flt
    where s.date between $from and $to
      and (len(flt.channels) = 0 or list_contains(flt.channels, s.channel))
      and coalesce(s.currency, $currency) = $currency
    group by 1
),

leads_by_day as (
    select
        timezone($tz, l.created_at)::date as day,
        count(*) as leads_n,
        count(*) filter (where l.qualification is distinct from 'junk') as target_n,
    from leads as l, flt
    where timezone($tz, l.created_at)::date between $from and $to
      and (len(flt.channels) = 0 or list_contains(flt.channels, l.channel))
    group by 1
),

-- the channel of a won deal, by the default attribution model (METRICS.md "Attribution", last
-- non-direct touch, as in queries/roi/channel_campaign_roi.sql): its lead's channel unless 'direct',
-- then the client's most recent earlier lead or session within 90 days of that lead whose channel is
-- neither 'direct' nor 'unknown'; 'unknown' without a lead
credited as (
    select deal_id, channel, from direct_deal_credit
),

won_by_day as (
    select
        timezone($tz, d.closed_at)::date as day,
        count(*) as won_n,
        sum(d.amount) filter (where coalesce(d.currency, $currency) = $currency)::double as revenue_amount,
    from deals as d
    left join leads as l on l.lead_id = d.lead_id
    left join credited as c on c.deal_id = d.deal_id
    cross join flt
    where d.status = 'won'
      and timezone($tz, d.closed_at)::date between $from and $to
      and (len(flt.channels) = 0 or list_contains(flt.channels, coalesce(c.channel, l.channel, 'unknown')))
    group by 1
),

final as (
    select
        days.bucket,
        coalesce(sum(s.spend_amount), 0)::double as spend,
        coalesce(sum(l.leads_n), 0)::bigint as leads,
        coalesce(sum(l.target_n), 0)::bigint as target_leads,
        coalesce(sum(w.won_n), 0)::bigint as won_deals,
        coalesce(sum(w.revenue_amount), 0)::double as revenue,
    from days
    left join spend_by_day as s on s.day = days.day
    left join leads_by_day as l on l.day = days.day
    left join won_by_day as w on w.day = days.day
    group by days.bucket
)

select * from final order by bucket
