-- What the digests already delivered (queries/schema/0012_team.sql), newest first.
-- Parameters: $kind (weekly, daily or alert).
-- Columns: kind, key, via, window_to, sent_at (UTC)
select kind, key, via, window_to, timezone('UTC', sent_at) as sent_at
from digest_sent
where kind = $kind
order by sent_at desc
