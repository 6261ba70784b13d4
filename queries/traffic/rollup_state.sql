-- One row: the signature the traffic rollup was last built from (fullfunnel/rollups.py), whose
-- second '|'-separated field is the time zone its days are in; no row when never built.
-- Columns: signature
with
final as (
    select value as signature from ff_meta where key = 'traffic_rollup_signature'
)

select * from final
