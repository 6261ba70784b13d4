-- Fact: sessions per business day × channel × campaign (METRICS.md "Web traffic": a session counts
-- on the day it started, in the business time zone). The pages sum it instead of counting raw
-- sessions; fullfunnel/facts.py keeps the table `fact_sessions_day` equal to this query.
-- Parameters: $tz; $fact_lo, $fact_hi (timestamptz or null): only sessions started in
--   [fact_lo, fact_hi) — the whole days an import touched (null = every session).
-- Columns: day, channel, campaign ('' when none), sessions_n
select
    timezone($tz, s.started_at)::date as day,
    s.channel,
    coalesce(s.campaign, '') as campaign,
    count(*)::bigint as sessions_n,
from sessions as s
where ($fact_lo::timestamptz is null or s.started_at >= $fact_lo::timestamptz)
  and ($fact_hi::timestamptz is null or s.started_at < $fact_hi::timestamptz)
group by all
