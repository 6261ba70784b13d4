-- One row: the deal cycle of won deals (METRICS.md: mean days from deal created_at to closed_at).
-- Cohort view: won deals of the leads created in the period (a deal without a lead: by its own
-- created_at); cash view: deals won (closed_at) in the period.
-- Parameters: $from, $to (dates, inclusive, business time zone); $tz; $channels (varchar[]; empty =
--   all); $view ('cohort' or 'cash'); $pipeline (varchar or null = the pipeline with most deals).
-- Columns: won_n (won deals with a close date), cycle_mean_days, cycle_median_days (days, fractional;
--   null when there are none)
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

won as (
    select
        epoch(d.closed_at - d.created_at) / 86400.0 as days,
        timezone($tz, coalesce(l.created_at, d.created_at))::date as cohort_date,
        timezone($tz, d.closed_at)::date as won_date,
    from deals as d
    join pipe on d.pipeline = pipe.pipeline
    left join leads as l on l.lead_id = d.lead_id
    cross join flt
    where d.status = 'won'
      and d.closed_at is not null
      and (len(flt.channels) = 0 or list_contains(flt.channels, coalesce(l.channel, 'unknown')))
),

final as (
    select
        count(*) as won_n,
        avg(days) as cycle_mean_days,
        median(days) as cycle_median_days,
    from won
    where case when $view::varchar = 'cash' then won_date between $from and $to
               else cohort_date between $from and $to end
)

select * from final
