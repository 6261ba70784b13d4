-- Leads over time by channel (METRICS.md "Leads"): one row per bucket × channel (× campaign when
-- $by_campaign) for every bucket of the period and every channel (campaign) with a lead in it;
-- zeros where nothing happened. Leads counted on created_at in the business time zone.
-- Parameters: $from, $to (dates, inclusive); $tz; $grain ('day', 'week', 'month'); $channels
--   (varchar[]; empty = all); $by_campaign (boolean).
-- Columns: bucket (date, first day of the bucket), channel, campaign ('' unless $by_campaign),
--   leads, junk_leads, junk_pct (junk / leads; null when no leads)
with
buckets as (
    select distinct date_trunc($grain, d::date)::date as bucket,
    from range($from::date, $to::date + interval 1 day, interval 1 day) as r(d)
),

leads_in as (
    select
        date_trunc($grain, timezone($tz, l.created_at)::date)::date as bucket,
        l.channel,
        case when $by_campaign then coalesce(l.campaign, '') else '' end as campaign,
        l.qualification,
    from leads as l
    -- a first cut by instant, with a margin wider than any zone's offset, before the exact business day
    where l.created_at >= timezone('UTC', ($from::date - 2)::timestamp) and l.created_at < timezone('UTC', ($to::date + 3)::timestamp)
      and timezone($tz, l.created_at)::date between $from and $to
      and (len($channels::varchar[]) = 0 or list_contains($channels::varchar[], l.channel))
),

series as (
    select distinct channel, campaign from leads_in
),

counts as (
    select
        bucket, channel, campaign,
        count(*) as leads_n,
        count(*) filter (where qualification = 'junk') as junk_n,
    from leads_in
    group by all
),

final as (
    select
        b.bucket,
        s.channel,
        s.campaign,
        coalesce(c.leads_n, 0)::bigint as leads,
        coalesce(c.junk_n, 0)::bigint as junk_leads,
        100.0 * c.junk_n / nullif(c.leads_n, 0) as junk_pct,
    from buckets as b
    cross join series as s
    left join counts as c on c.bucket = b.bucket and c.channel = s.channel and c.campaign = s.campaign
)

select * from final order by bucket, channel, campaign
