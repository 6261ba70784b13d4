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
direct_won as (
    select d.deal_id, l.lead_id, l.created_at as anchor_at, coalesce(d.client_id, l.client_id) as client_id,
    from deals as d
    join leads as l on l.lead_id = d.lead_id
    where d.status = 'won' and l.channel = 'direct' and coalesce(d.client_id, l.client_id) is not null
),

client_visitors as (
    select distinct l.client_id, l.visitor_id,
    from leads as l
    semi join direct_won as w on w.client_id = l.client_id
    where l.visitor_id is not null
),

touches as (
    select l.client_id, l.created_at as touched_at, 0 as kind_order, l.lead_id as touch_id, l.channel,
    from leads as l
    semi join direct_won as w on w.client_id = l.client_id
    union all
    select cv.client_id, s.started_at, 1, s.session_id, s.channel,
    from sessions as s
    join client_visitors as cv on cv.visitor_id = s.visitor_id
),

credited as (
    select deal_id, channel,
    from (
        select
            w.deal_id, t.channel,
            row_number() over (
                partition by w.deal_id order by t.touched_at desc, t.kind_order, t.touch_id
            ) as rn,
        from direct_won as w
        join touches as t on t.client_id = w.client_id
        where t.touched_at <= w.anchor_at
          and t.touched_at >= w.anchor_at - interval 90 day
          and t.channel not in ('direct', 'unknown')
          and not (t.kind_order = 0 and t.touch_id = w.lead_id)
    )
    where rn = 1
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
