-- Schema version 1: one table per native import template (FORMATS.md), plus the import log,
-- channel rules and settings. Timestamps are instants (timestamptz); queries convert them to the
-- business time zone before truncating to a date. Dates without a time are plain `date`.
-- Every imported row carries the import that wrote it (import_id), so an import can be undone.
-- Natural keys (re-import replaces, never duplicates) are noted per table; the importer enforces them.

create table if not exists ff_meta (
    key varchar primary key,
    value varchar,
);

create table if not exists settings (
    key varchar primary key,   -- business_tz, currency, bounce_definition, margin_pct, language
    value varchar,
);

create sequence if not exists import_id_seq start 1;

create table if not exists import_log (
    import_id bigint primary key,
    imported_at timestamptz not null,
    file_name varchar not null,
    checksum varchar,          -- sha256 of the file bytes
    format varchar,            -- native, amocrm, google_ads, ...
    kind varchar,              -- leads, deals, spend, ...
    rows_read bigint,
    rows_added bigint,
    rows_replaced bigint,
    rows_rejected bigint,
    undone_at timestamptz,
);

create table if not exists channel_rules (
    position integer not null,          -- first match wins, lowest position first
    source_pattern varchar,             -- case-insensitive glob on source / utm_source ('*' = any)
    medium_pattern varchar,             -- same, on medium / utm_medium
    campaign_pattern varchar,           -- same, on campaign / utm_campaign
    channel varchar not null,
);

-- natural key: lead_id
create table if not exists leads (
    lead_id varchar not null,
    created_at timestamptz not null,
    channel varchar not null,           -- resolved: explicit column, else channel rules, else 'unknown'
    channel_given varchar,              -- the explicit channel column as imported, if any
    source varchar,
    medium varchar,
    campaign varchar,
    content varchar,
    term varchar,
    landing_page varchar,
    client_id varchar,                  -- stable (hashed) client key
    visitor_id varchar,
    qualification varchar,              -- 'target', 'junk' or null (not yet qualified)
    junk_reason varchar,
    manager varchar,
    import_id bigint,
);

-- natural key: deal_id
create table if not exists deals (
    deal_id varchar not null,
    created_at timestamptz not null,
    stage varchar not null,
    status varchar not null,            -- 'open', 'won', 'lost'
    lead_id varchar,
    client_id varchar,
    closed_at timestamptz,
    amount decimal(18, 2),
    currency varchar,
    lost_reason varchar,
    manager varchar,
    pipeline varchar not null default '',
    import_id bigint,
);

-- natural key: deal_id + stage + entered_at
create table if not exists deal_stages (
    deal_id varchar not null,
    stage varchar not null,
    entered_at timestamptz not null,
    import_id bigint,
);

-- natural key: pipeline + stage
create table if not exists stages (
    pipeline varchar not null default '',
    stage varchar not null,
    position integer not null,
    kind varchar not null,              -- 'open', 'won', 'lost'
    import_id bigint,
);

-- natural key: date + channel + campaign
create table if not exists spend (
    date date not null,
    channel varchar not null,
    campaign varchar not null default '',
    spend decimal(18, 2) not null,
    impressions bigint,
    clicks bigint,
    currency varchar,
    import_id bigint,
);

-- natural key: session_id
create table if not exists sessions (
    session_id varchar not null,
    visitor_id varchar not null,
    started_at timestamptz not null,
    pageviews integer not null,
    duration_s integer not null,
    channel varchar not null default 'unknown',
    source varchar,
    medium varchar,
    campaign varchar,
    landing_page varchar,
    converted boolean,
    import_id bigint,
);

-- natural key: date + channel + campaign (daily aggregates, when raw sessions are not available)
create table if not exists traffic (
    date date not null,
    channel varchar not null default '',
    campaign varchar not null default '',
    sessions bigint not null,
    visitors bigint not null,
    pageviews bigint,
    duration_s bigint,                  -- total over the sessions
    bounces bigint,
    conversions bigint,
    import_id bigint,
);

-- natural key: activity_id
create table if not exists activities (
    activity_id varchar not null,
    "at" timestamptz not null,
    manager varchar not null,
    type varchar not null,              -- 'call', 'meeting', 'email', 'task'
    lead_id varchar,
    deal_id varchar,
    outcome varchar,
    duration_s integer,
    import_id bigint,
);

-- natural key: order_id + product
create table if not exists orders (
    order_id varchar not null,
    ordered_at timestamptz not null,
    client_id varchar not null,
    product varchar not null,
    revenue decimal(18, 2) not null,
    quantity double,
    cost decimal(18, 2),
    deal_id varchar,
    channel varchar,
    currency varchar,
    import_id bigint,
);

-- natural key: review_id
create table if not exists reviews (
    review_id varchar not null,
    date date not null,
    rating integer not null,            -- 1..5
    source varchar,
    product varchar,
    import_id bigint,
);

-- natural key: month + metric + channel + manager
create table if not exists plans (
    month date not null,                -- first day of the month
    metric varchar not null,
    value double not null,
    channel varchar not null default '',
    manager varchar not null default '',
    import_id bigint,
);
