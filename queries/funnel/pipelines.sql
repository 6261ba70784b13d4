-- One row per sales pipeline that has deals or stages; the funnel shows one pipeline at a time and
-- defaults to the first row (most deals).
-- Parameters: none.
-- Columns: pipeline ('' = the default pipeline), deals_n, open_stages_n
with
deal_pipes as (
    select pipeline, count(*) as deals_n, from deals group by pipeline
),

stage_pipes as (
    select pipeline, count(*) filter (where kind = 'open') as open_stages_n, from stages group by pipeline
),

final as (
    select
        coalesce(d.pipeline, s.pipeline) as pipeline,
        coalesce(d.deals_n, 0) as deals_n,
        coalesce(s.open_stages_n, 0) as open_stages_n,
    from deal_pipes as d
    full join stage_pipes as s on s.pipeline = d.pipeline
)

select * from final order by deals_n desc, pipeline
