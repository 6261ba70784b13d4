-- One row of facts the funnel page must say out loud about the deals behind it.
-- Parameters: $from, $to (dates, inclusive, business time zone); $tz; $channels (varchar[]; empty =
--   all); $view ('cohort' or 'cash'); $pipeline (varchar or null = the pipeline with most deals).
-- Columns: pipeline (the one shown), pipelines_n (pipelines with deals), open_stages_n (open stages
--   of that pipeline in `stages`), history_deals_n (deals of the pipeline with any stage history),
--   lost_without_history_n (lost deals in view without stage history: counted only in the first
--   stage; cohort view — of the period's leads, cash view — lost in the period)
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

deal_base as (
    select
        d.deal_id, d.status,
        exists (select 1 from deal_stages as ds where ds.deal_id = d.deal_id) as has_history,
        timezone($tz, coalesce(l.created_at, d.created_at))::date as cohort_date,
        timezone($tz, coalesce(d.closed_at, d.created_at))::date as closed_date,
    from deals as d
    join pipe on d.pipeline = pipe.pipeline
    left join leads as l on l.lead_id = d.lead_id
    cross join flt
    where (len(flt.channels) = 0 or list_contains(flt.channels, coalesce(l.channel, 'unknown')))
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
