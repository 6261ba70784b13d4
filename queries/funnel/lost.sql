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

-- the stage each lost deal was lost at and its business days: the fact fact_deal_outcomes
-- (queries/facts/), which applies the rule above
lost_at as (
    select f.lost_stage as stage, f.lost_reason,
    from fact_deal_outcomes as f
    join pipe on f.pipeline = pipe.pipeline
    where f.status = 'lost'
      and (len($channels::varchar[]) = 0 or list_contains($channels::varchar[], f.channel))
      and case when $view::varchar = 'cash' then f.closed_day between $from and $to
               else f.cohort_day between $from and $to end
),

final as (
    select la.stage, la.lost_reason, count(*) as deals_n, min(os.position) as stage_position,
    from lost_at as la
    left join open_stages as os on os.stage = la.stage
    group by la.stage, la.lost_reason
)

select * from final order by stage_position nulls last, deals_n desc, lost_reason nulls last
