-- One row of facts the funnel page must say out loud about the deals behind it.
-- Parameters: $from, $to (dates, inclusive, business time zone); $tz; $channels (varchar[]; empty =
--   all); $view ('cohort' or 'cash'); $pipeline (varchar or null = the pipeline with most deals).
-- Columns: pipeline (the one shown), pipelines_n (pipelines with deals), open_stages_n (open stages
--   of that pipeline in `stages`), history_deals_n (deals of the pipeline with any stage history),
--   lost_without_history_n (lost deals in view without stage history: counted only in the first
--   stage; cohort view — of the period's leads, cash view — lost in the period)
with
pipe as (
    select coalesce(
        $pipeline::varchar,
        (select pipeline from default_pipeline),
        ''
    ) as pipeline,
),

-- each deal's history flag and business days: the fact fact_deal_outcomes (queries/facts/)
deal_base as (
    select f.deal_id, f.status, f.has_history, f.cohort_day as cohort_date, f.closed_day as closed_date,
    from fact_deal_outcomes as f
    join pipe on f.pipeline = pipe.pipeline
    where (len($channels::varchar[]) = 0 or list_contains($channels::varchar[], f.channel))
),

final as (
    select
        (select pipeline from pipe) as pipeline,
        (select count(distinct pipeline) from deals) as pipelines_n,
        (select count(*) from stages as s, pipe where s.pipeline = pipe.pipeline and s.kind = 'open')
            as open_stages_n,
        (select count(*) from deal_base where has_history) as history_deals_n,
        (select count(*) from deal_base
         where status = 'lost' and not has_history
           and case when $view::varchar = 'cash' then closed_date between $from and $to
                    else cohort_date between $from and $to end) as lost_without_history_n,
)

select * from final
