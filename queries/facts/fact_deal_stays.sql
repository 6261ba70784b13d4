-- Fact: one row per finished stay of a deal in a stage — the one definition of a stay (METRICS.md
-- "Deals and the funnel", time in stage), kept as a table so the time-in-stage table does not read
-- every deal's stage history again:
--   a stay starts at a deal_stages entry and ends at the deal's next entry (any stage; entries at the
--   same moment in stage-name order), else at closed_at for a won or lost deal; stays still going on
--   (an open deal's last entry, a closed deal without closed_at) and stays that would end before they
--   start are left out. Every stage is kept, open or not; the pages pick the open stages.
-- A deal's rows depend only on its own deal and stage rows and its lead, so fullfunnel/facts.py keeps
-- the table `fact_deal_stays` equal to this query deal by deal.
-- Parameters: $tz; $fact_deals (varchar[] or null): only these deals (null = every deal).
-- Columns: deal_id, pipeline, channel (the deal's lead's; 'unknown' without a lead), cohort_day (the
--   business day its lead was created; a deal without a lead: its own creation), stage, entered_at,
--   entered_day (the business day of entered_at), left_at
with
deal_base as (
    select
        d.deal_id, d.pipeline, d.status, d.closed_at,
        coalesce(l.channel, 'unknown') as channel,
        timezone($tz, coalesce(l.created_at, d.created_at))::date as cohort_day,
    from deals as d
    left join leads as l on l.lead_id = d.lead_id
    where $fact_deals::varchar[] is null or d.deal_id in (select unnest($fact_deals::varchar[]))
),

entries as (
    select
        ds.deal_id, ds.stage, ds.entered_at,
        coalesce(
            lead(ds.entered_at) over (partition by ds.deal_id order by ds.entered_at, ds.stage),
            case when b.status in ('won', 'lost') then b.closed_at end
        ) as left_at,
    from deal_stages as ds
    join deal_base as b on b.deal_id = ds.deal_id
)

select
    b.deal_id, b.pipeline, b.channel, b.cohort_day, e.stage, e.entered_at,
    timezone($tz, e.entered_at)::date as entered_day,
    e.left_at,
from entries as e
join deal_base as b on b.deal_id = e.deal_id
where e.left_at is not null
  and e.left_at >= e.entered_at
