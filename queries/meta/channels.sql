-- One row per channel known anywhere in the data (leads, spend, sessions, traffic), alphabetical.
-- Columns: channel
with
all_channels as (
    select distinct channel from fact_leads_day  -- the channels of the leads, from their day fact
    union
    select distinct channel from spend
    union
    select distinct channel from fact_sessions_day  -- the channels of the sessions, from their day fact
    union
    select distinct channel from traffic where channel <> ''
),

final as (
    select channel from all_channels where channel is not null order by channel
)

select * from final
