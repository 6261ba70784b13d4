-- One row: how many leads carry no source at all, and how many ended up in channel `unknown`.
-- A lead without source has no source, medium, campaign and no explicit channel.
-- Columns: leads_n, without_source_n, unknown_channel_n, without_source_pct (0..100, null with no leads)
with
counted as (
    select
        count(*) as leads_n,
        count(*) filter (where l.source is null and l.medium is null and l.campaign is null
                           and l.channel_given is null) as without_source_n,
        count(*) filter (where l.channel = 'unknown') as unknown_channel_n,
    from leads as l
),

final as (
    select
        c.leads_n,
        c.without_source_n,
        c.unknown_channel_n,
        case when c.leads_n > 0 then 100.0 * c.without_source_n / c.leads_n end as without_source_pct,
    from counted as c
)

select * from final
