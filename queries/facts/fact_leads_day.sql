-- Fact: leads per business day of creation × channel × campaign (METRICS.md "Leads": a lead counts
-- on the day it was created, under its own channel; junk = qualification 'junk', target = the rest).
-- fullfunnel/facts.py keeps the table `fact_leads_day` equal to this query.
-- Parameters: $tz; $fact_lo, $fact_hi (timestamptz or null): only leads created in [fact_lo, fact_hi).
-- Columns: day, channel, campaign ('' when none), leads_n, junk_n
select
    timezone($tz, l.created_at)::date as day,
    l.channel,
    coalesce(l.campaign, '') as campaign,
    count(*)::bigint as leads_n,
    count(*) filter (where l.qualification = 'junk')::bigint as junk_n,
from leads as l
where ($fact_lo::timestamptz is null or l.created_at >= $fact_lo::timestamptz)
  and ($fact_hi::timestamptz is null or l.created_at < $fact_hi::timestamptz)
group by all
