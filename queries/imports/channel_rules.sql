-- One row per channel rule, in the order they are tried (first match wins).
-- Columns: position, source_pattern, medium_pattern, campaign_pattern, channel
with
final as (
    select r.position, r.source_pattern, r.medium_pattern, r.campaign_pattern, r.channel,
    from channel_rules as r
    order by r.position
)

select * from final
