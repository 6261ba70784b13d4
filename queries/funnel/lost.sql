-- One row per (stage where the deal was lost, lost reason): lost deals of the pipeline.
-- Stage where lost: with stage history, the open stage the deal entered last before being lost;
-- without history, its current stage when that is an open stage of the pipeline, else null
-- (unknown — such a deal counts only in the first funnel stage, see funnel/steps.sql).
-- Cohort view: lost deals of the leads created in the period (a deal without a lead: by its own
-- created_at); cash view: deals lost (closed_at) in the period.
-- Parameters: $from, $to (dates, inclusive, business time zone); $tz; $channels (varchar[]; empty =
--   all); $view ('cohort' or 'cash'); $pipeline (varchar or null = the pipeline with most deals).
-- Columns: stage (null = unknown), lost_reason (null = none given), deals_n, stage_position
--   (stages.position; null when unknown); in funnel order, most deals first within a stage
with
flt as (
    select $channels::varchar[] as channels,
),

pipe as (
    select coalesce(
        $pipeline::varchar,
        (select pipeline from default_pipeline),
        ''
    ) as pipeline,
),

open_stages as (
    select s.stage, s.position,
    from stages as s, pipe
    where s.pipeline = pipe.pipeline and s.kind = 'open'
),

lost_deals as (
    select
        d.deal_id, d.stage, nullif(trim(d.lost_reason), '') as lost_reason,
        timezone($tz, coalesce(l.created_at, d.created_at))::date as cohort_date,
        timezone($tz, coalesce(d.closed_at, d.created_at))::date as lost_date,
    from deals as d
    join pipe on d.pipeline = pipe.pipeline
    left join leads as l on l.lead_id = d.lead_id
    cross join flt
    where d.status = 'lost'
      and (len(flt.channels) = 0 or list_contains(flt.channels, coalesce(l.channel, 'unknown')))
),

in_scope as (
    select * from lost_deals
    where case when $view::varchar = 'cash' then lost_date between $from and $to
               else cohort_date between $from and $to end
),

history as (
    select ds.deal_id, ds.stage, ds.entered_at, os.position,
    from deal_stages as ds
    join in_scope as d on d.deal_id = ds.deal_id
    left join open_stages as os on os.stage = ds.stage
),

last_open as (
    select
        deal_id,
        count(*) > 0 as has_history,
        arg_max(stage, (entered_at, position)) filter (where position is not null) as stage,
    from history
    group by deal_id
),

lost_at as (
    select
        case when lo.deal_id is not null then lo.stage else cur.stage end as stage,
        d.lost_reason,
    from in_scope as d
    left join last_open as lo on lo.deal_id = d.deal_id
    left join open_stages as cur on cur.stage = d.stage
),

final as (
    select la.stage, la.lost_reason, count(*) as deals_n, min(os.position) as stage_position,
    from lost_at as la
    left join open_stages as os on os.stage = la.stage
    group by la.stage, la.lost_reason
)

select * from final order by stage_position nulls last, deals_n desc, lost_reason nulls last
