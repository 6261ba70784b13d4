-- Schema version 3: the traffic rollup, built from `sessions` at import time by
-- fullfunnel/rollups.py (refresh) so traffic pages stay interactive on big sites.
-- One row per business-time-zone day × channel × landing page × visitor: session counts and sums
-- are added up, distinct visitors over any period stay exact (count distinct visitor_key).
-- Rebuilt whole whenever sessions (or leads, which mark conversions, or the time zone) change;
-- the signature of what it was built from is kept in ff_meta under 'traffic_rollup_signature'.
create table if not exists traffic_rollup (
    day date not null,                  -- session start, in the business time zone of `tz`
    channel varchar not null,
    landing_page varchar not null,      -- '' when the export had none
    visitor_key integer not null,       -- dense number of visitor_id (exact, no hashing)
    sessions_n integer not null,
    pageviews_n bigint not null,
    duration_s bigint not null,         -- total over the sessions
    bounces_metrica_n integer not null, -- ≤ 1 pageview and duration < 15 s
    bounces_ga4_n integer not null,     -- not engaged: duration < 10 s, < 2 pageviews, no conversion
    converted_n integer not null,       -- sessions that produced a lead or an order
    -- The visitor's previous active day before `day` (1900-01-01 if none) on the one row that
    -- stands for the visitor on that day; `day` itself on the other rows of that day. "_any" over
    -- all rows, "_channel" within the channel, "_landing" within the landing page. Distinct
    -- visitors of [from, to] = rows with day in [from, to] and prev_*_day < from.
    prev_any_day date not null,
    prev_channel_day date not null,
    prev_landing_day date not null,
);
