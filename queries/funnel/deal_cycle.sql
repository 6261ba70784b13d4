-- One row: the deal cycle of won deals (METRICS.md: mean days from deal created_at to closed_at).
-- Cohort view: won deals of the leads created in the period (a deal without a lead: by its own
-- created_at); cash view: deals won (closed_at) in the period.
-- Parameters: $from, $to (dates, inclusive, business time zone); $tz; $channels (varchar[]; empty =
--   all); $view ('cohort' or 'cash'); $pipeline (varchar or null = the pipeline with most deals).
-- Columns: won_n (won deals with a close date), cycle_mean_days, cycle_median_days (days, fractional;
--   null when there are none)
with
pipe as (
    select coalesce(
        $pipeline::varchar,
        (select pipeline from default_pipeline),
        ''
    ) as pipeline,
),

-- a deal's lead channel, cohort day (its lead's creation, else its own) and close day come from the
-- fact fact_deal_outcomes (queries/facts/fact_deal_outcomes.sql); only the two timestamps from deals
won as (
    select
        epoch_us(d.closed_at) - epoch_us(d.created_at) as us,   -- exact: the mean does not depend on row order
        o.cohort_day as cohort_date,
        o.closed_day as won_date,
    from fact_deal_outcomes as o
    join pipe on o.pipeline = pipe.pipeline
    join deals as d on d.deal_id = o.deal_id
    where o.status = 'won'
      and d.status = 'won'
      and d.closed_at is not null
      and (len($channels::varchar[]) = 0 or list_contains($channels::varchar[], o.channel))
),

final as (
    select
        count(*) as won_n,
        avg(us) / 86400e6 as cycle_mean_days,
        median(us) / 86400e6 as cycle_median_days,
    from won
    where case when $view::varchar = 'cash' then won_date between $from and $to
               else cohort_date between $from and $to end
)

select * from final
