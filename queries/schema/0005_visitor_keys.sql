-- Schema version 5: stable visitor numbers for the traffic rollup, so an import that only adds
-- sessions can rebuild the rollup rows of the visitors it touched instead of the whole table
-- (fullfunnel/rollups.py). A visitor keeps its number; new visitors get the next ones.
create table if not exists visitor_keys (
    visitor_id varchar not null,
    visitor_key integer not null,
);

-- force one full rebuild under the new numbering
delete from ff_meta where key = 'traffic_rollup_signature';
