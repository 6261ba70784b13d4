-- Schema version 12: running fullfunnel for a team.
-- * import_log.imported_by / undone_by: who imported or undid (the signed-in e-mail, else the
--   operating-system user of the command line).
-- * digest_sent: what the digests already delivered, so nothing is sent twice: one row per
--   digest (kind weekly/daily with key = ISO week or day) or alert (kind alert, key =
--   channel|campaign|status, window_to = the last day of the alert's 14-day window) and way (email, telegram).

alter table import_log add column if not exists imported_by varchar;
alter table import_log add column if not exists undone_by varchar;

create table if not exists digest_sent (
    kind varchar not null,
    key varchar not null,
    via varchar not null,
    window_to date,
    sent_at timestamptz not null default current_timestamp
);
