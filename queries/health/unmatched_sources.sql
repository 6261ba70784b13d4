-- One row per kind (leads, sessions) × source × medium × campaign whose channel is `unknown`:
-- no explicit channel and no channel rule matched (empty source = the export had none).
-- Parameters: $tz (IANA zone for the last time seen).
-- Columns: kind, source, medium, campaign, rows_n, last_seen_at (timestamp in $tz)
with
unknown_leads as (
    select 'leads' as kind, l.source, l.medium, l.campaign, l.created_at as at,
    from leads as l
    where l.channel = 'unknown'
),

unknown_sessions as (
    select 'sessions' as kind, s.source, s.medium, s.campaign, s.started_at as at,
    from sessions as s
    where s.channel = 'unknown'
),

unknown_rows as (
    select * from unknown_leads
    union all
    select * from unknown_sessions
),

final as (
    select
        u.kind,
        coalesce(u.source, '') as source,
        coalesce(u.medium, '') as medium,
        coalesce(u.campaign, '') as campaign,
        count(*) as rows_n,
        timezone($tz, max(u.at)) as last_seen_at,
    from unknown_rows as u
    group by all
)

-- ordered outside the grouping: there `source` is the output column, never the raw u.source
select * from final order by rows_n desc, kind, source, medium, campaign
