-- Web traffic (METRICS.md "Web traffic"): one row per bucket × breakdown value, or with $whole one
-- row per breakdown value for the whole period (bucket null) — visitors there are distinct over the
-- whole period, not the sum of the buckets.
-- Source: raw sessions via traffic_rollup (built at import time, days already in the business
-- time zone); when no raw sessions were ever imported, the daily `traffic` aggregates, whose
-- visitors can only be summed ("visitor-days") and whose bounces are as the export counted them.
-- Parameters: $from, $to (dates, inclusive); $grain ('day', 'week', 'month'); $channels
--   (varchar[]; empty = all); $dim ('none', 'channel', 'landing_page'; whitelisted by the caller);
--   $bounce ('metrica' or 'ga4'); $whole (boolean: the whole period instead of buckets).
-- Columns: bucket (date, first day; null = whole period), dim ('' when $dim = 'none'),
--   sessions, visitors, visitors_kind ('visitors' or 'visitor_days'), pageviews,
--   pageviews_per_session, avg_duration_s, bounces, bounce_rate_pct,
--   exits_without_conversion, exit_without_conversion_pct, source ('sessions' or 'traffic')
with
flt as (
    select $channels::varchar[] as channels,
),

visitor_mode as (
    -- how distinct visitors are counted exactly (queries/schema/0003_traffic_rollup.sql): from the
    -- stored previous active day overall / in the channel / on the landing page when that matches
    -- the rows asked for; for several channels a distinct count over each visitor's first row per
    -- channel in the bucket; for landing pages of some channels a distinct count over all rows
    select case
        when $dim = 'none' and len(channels) = 0 then 'any'
        when $dim = 'channel' or ($dim = 'none' and len(channels) = 1) then 'channel'
        when $dim = 'landing_page' and len(channels) = 0 then 'landing'
        when $dim = 'none' then 'channels'
        else 'distinct'
    end as mode,
    from flt
),

raw_rows as (
    select
        case when $whole then null else date_trunc($grain, r.day)::date end as bucket,
        case $dim when 'channel' then r.channel when 'landing_page' then r.landing_page else '' end as dim,
        case vm.mode
            when 'any' then r.prev_any_day
            when 'channel' then r.prev_channel_day
            when 'landing' then r.prev_landing_day
        end as prev_day,
        case
            when vm.mode = 'distinct' then r.visitor_key
            when vm.mode = 'channels' and r.prev_channel_day < case when $whole then $from::date
                else greatest(date_trunc($grain, r.day)::date, $from::date) end then r.visitor_key
        end as distinct_key,
        1 as raw_n,
        null::bigint as visitor_days_n,
        r.sessions_n,
        r.pageviews_n,
        r.duration_s,
        case when $bounce = 'ga4' then r.bounces_ga4_n else r.bounces_metrica_n end as bounces_n,
        r.converted_n,
    from traffic_rollup as r, visitor_mode as vm
    where r.day between $from and $to
      and (len($channels::varchar[]) = 0 or list_contains($channels::varchar[], r.channel))
),

aggregate_rows as (
    -- daily aggregates only count when no raw sessions exist at all (never mix the two sources)
    select
        case when $whole then null else date_trunc($grain, t.date)::date end as bucket,
        case $dim when 'channel' then coalesce(nullif(t.channel, ''), 'unknown') else '' end as dim,
        null::date as prev_day,
        null::integer as distinct_key,
        0 as raw_n,
        t.visitors as visitor_days_n,
        t.sessions as sessions_n,
        t.pageviews as pageviews_n,
        t.duration_s,
        t.bounces as bounces_n,
        t.conversions as converted_n,
    from traffic as t
    where t.date between $from and $to
      and $dim <> 'landing_page'
      and (len($channels::varchar[]) = 0 or list_contains($channels::varchar[], t.channel))
      and not exists (select 1 from sessions)
),

all_rows as (
    select * from raw_rows
    union all
    select * from aggregate_rows
),

grouped as (
    select
        bucket,
        dim,
        sum(sessions_n)::bigint as sessions,
        -- a visitor counts on its first row in the bucket (whole period: in the period)
        count(*) filter (where prev_day < greatest(coalesce(bucket, $from::date), $from::date)) as first_rows_n,
        sum(raw_n) as raw_rows_n,
        sum(visitor_days_n)::bigint as visitor_days_n,
        sum(pageviews_n)::bigint as pageviews,
        sum(duration_s)::double as duration_total_s,
        sum(bounces_n)::bigint as bounces,
        sum(converted_n)::bigint as converted_n,
    from all_rows
    group by bucket, dim
),

-- distinct visitors where the visitor mode needs them (several channels, landing pages of some): apart,
-- so that the other modes pay nothing for a distinct count over keys that are all null
distinct_counts as (
    select bucket, dim, count(distinct distinct_key) as distinct_visitors_n,
    from all_rows
    where distinct_key is not null
    group by bucket, dim
),

final as (
    select
        g.bucket,
        g.dim,
        sessions,
        case
            when raw_rows_n = 0 then visitor_days_n
            when d.distinct_visitors_n is not null then d.distinct_visitors_n
            else first_rows_n
        end as visitors,
        case when raw_rows_n > 0 then 'visitors' else 'visitor_days' end as visitors_kind,
        pageviews,
        pageviews / nullif(sessions, 0)::double as pageviews_per_session,
        duration_total_s / nullif(sessions, 0) as avg_duration_s,
        bounces,
        100.0 * bounces / nullif(sessions, 0) as bounce_rate_pct,
        sessions - converted_n as exits_without_conversion,
        100.0 * (sessions - converted_n) / nullif(sessions, 0) as exit_without_conversion_pct,
        case when raw_rows_n > 0 then 'sessions' else 'traffic' end as source,
    from grouped as g
    left join distinct_counts as d on d.bucket is not distinct from g.bucket and d.dim = g.dim
)

select * from final order by bucket nulls first, sessions desc, dim
