-- Schema version 2: what importing needs beyond version 1.
-- * archive_<table>: rows an import replaced (same natural key), tagged with the import that
--   replaced them, so `imports undo` can put them back. Same columns as the live table + replaced_by.
--   A later migration that adds a column to a data table must add it to its archive too.
-- * import_log.detail: JSON with per-kind counts, the first rejected rows and notes.
-- * sessions.channel_given: the explicit channel as imported, so channel rule edits can re-resolve.
-- * default channel rules (only into an empty rules table).

alter table import_log add column if not exists detail varchar;
alter table sessions add column if not exists channel_given varchar;

create table if not exists archive_leads as select *, null::bigint as replaced_by from leads limit 0;
create table if not exists archive_deals as select *, null::bigint as replaced_by from deals limit 0;
create table if not exists archive_deal_stages as select *, null::bigint as replaced_by from deal_stages limit 0;
create table if not exists archive_stages as select *, null::bigint as replaced_by from stages limit 0;
create table if not exists archive_spend as select *, null::bigint as replaced_by from spend limit 0;
create table if not exists archive_sessions as select *, null::bigint as replaced_by from sessions limit 0;
create table if not exists archive_traffic as select *, null::bigint as replaced_by from traffic limit 0;
create table if not exists archive_activities as select *, null::bigint as replaced_by from activities limit 0;
create table if not exists archive_orders as select *, null::bigint as replaced_by from orders limit 0;
create table if not exists archive_reviews as select *, null::bigint as replaced_by from reviews limit 0;
create table if not exists archive_plans as select *, null::bigint as replaced_by from plans limit 0;

-- Patterns are case-insensitive globs on source / medium / campaign ('*' or empty = anything);
-- first match by position wins; positions leave gaps so a rule can be slotted in between.
insert into channel_rules (position, source_pattern, medium_pattern, campaign_pattern, channel)
select * from (values
    (10, 'yandex*', 'cpc', '*', 'yandex_direct'),
    (11, 'yandex*', 'cpm', '*', 'yandex_direct'),
    (12, 'ya_direct', '*', '*', 'yandex_direct'),
    (13, 'direct.yandex*', '*', '*', 'yandex_direct'),
    (14, 'ya', 'cpc', '*', 'yandex_direct'),
    (20, 'google*', 'cpc', '*', 'google_ads'),
    (21, 'google*', 'ppc', '*', 'google_ads'),
    (22, 'google*', 'paid*', '*', 'google_ads'),
    (23, 'google_adwords', '*', '*', 'google_ads'),
    (24, 'adwords', '*', '*', 'google_ads'),
    (30, 'vk*', 'cpc', '*', 'vk_ads'),
    (31, 'vk*', 'cpm', '*', 'vk_ads'),
    (32, 'vk*', 'paid*', '*', 'vk_ads'),
    (33, 'vk*', 'target*', '*', 'vk_ads'),
    (34, 'mytarget*', '*', '*', 'vk_ads'),
    (40, 'facebook*', 'cpc', '*', 'meta_ads'),
    (41, 'facebook*', 'paid*', '*', 'meta_ads'),
    (42, 'fb', '*', '*', 'meta_ads'),
    (43, 'instagram*', 'cpc', '*', 'meta_ads'),
    (44, 'instagram*', 'paid*', '*', 'meta_ads'),
    (45, 'ig', 'paid*', '*', 'meta_ads'),
    (50, 'telegram*', '*', '*', 'telegram'),
    (51, 'tg', '*', '*', 'telegram'),
    (52, 't.me', '*', '*', 'telegram'),
    (60, '*', 'email', '*', 'email'),
    (61, '*', 'e-mail', '*', 'email'),
    (62, '*', 'newsletter', '*', 'email'),
    (63, '*', 'mail*', '*', 'email'),
    (70, '*', 'organic', '*', 'seo'),
    (71, '*', 'organic search', '*', 'seo'),
    (72, '*', 'seo', '*', 'seo'),
    (80, 'vk*', '*', '*', 'social'),
    (81, 'facebook*', '*', '*', 'social'),
    (82, 'instagram*', '*', '*', 'social'),
    (83, '*', 'social', '*', 'social'),
    (84, '*', 'smm', '*', 'social'),
    (90, '(direct)', '*', '*', 'direct'),
    (91, 'direct', '*', '*', 'direct'),
    (92, '*', '(none)', '*', 'direct'),
    (93, '*', 'direct', '*', 'direct'),
    (100, '*', 'referral', '*', 'referral'),
    (101, '*', 'link', '*', 'referral'),
) as r(position, source_pattern, medium_pattern, campaign_pattern, channel)
where not exists (select 1 from channel_rules);
