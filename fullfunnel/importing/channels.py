"""Channel rules: source / medium / campaign patterns → channel; first match by position wins.

A lead or session keeps the channel it was imported with (`channel_given`) when it has one;
otherwise the rules decide, and rows no rule matches get `unknown` (listed on Data health).
Editing the rules re-resolves every stored lead and session that had no explicit channel.
"""
from __future__ import annotations

import csv
import io
import os

import pandas as pd

from fullfunnel import db, export
from fullfunnel.importing.errors import ImportRefused

RULE_COLUMNS = ("position", "source_pattern", "medium_pattern", "campaign_pattern", "channel")

MATCHED = """
create or replace temp table _combo_channel as
with combos as (select distinct source, medium, campaign from {table} where channel_given is null),
matched as (
    select c.source, c.medium, c.campaign, arg_min(r.channel, r.position) as channel,
    from combos as c
    join channel_rules as r
      on lower(coalesce(c.source, '')) glob lower(coalesce(nullif(trim(r.source_pattern), ''), '*'))
     and lower(coalesce(c.medium, '')) glob lower(coalesce(nullif(trim(r.medium_pattern), ''), '*'))
     and lower(coalesce(c.campaign, '')) glob lower(coalesce(nullif(trim(r.campaign_pattern), ''), '*'))
    group by all
)
select * from matched
"""


def join(table: str) -> str:
    return (f"left join _combo_channel as m on coalesce({table}.source, chr(0)) = coalesce(m.source, chr(0)) "
            f"and coalesce({table}.medium, chr(0)) = coalesce(m.medium, chr(0)) "
            f"and coalesce({table}.campaign, chr(0)) = coalesce(m.campaign, chr(0))")


def reresolve(con) -> dict[str, int]:
    """Apply the current rules to stored leads and sessions without an explicit channel; rows changed."""
    changed = {}
    for table in ("leads", "sessions"):
        con.execute(MATCHED.format(table=table))
        changed[table] = con.execute(
            f"update {table} set channel = coalesce(m.channel, 'unknown') from "
            f"(select t.rowid as rid, m.channel from {table} as t left join _combo_channel as m "
            f"on coalesce(t.source, chr(0)) = coalesce(m.source, chr(0)) "
            f"and coalesce(t.medium, chr(0)) = coalesce(m.medium, chr(0)) "
            f"and coalesce(t.campaign, chr(0)) = coalesce(m.campaign, chr(0)) "
            f"where t.channel_given is null) as m "
            f"where {table}.rowid = m.rid and {table}.channel is distinct from coalesce(m.channel, 'unknown')"
        ).fetchall()[0][0]
    return changed


def parse_rules(data: bytes, name: str = "rules.csv") -> pd.DataFrame:
    """A rules CSV: columns source, medium, campaign (patterns) and channel; order = position."""
    from fullfunnel.importing.read import decode, norm, sniff_delimiter

    text, _ = decode(data, name)
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        raise ImportRefused(f"{name} is empty: there are no channel rules in it.",
                            ru=f"{name} пуст: в нём нет правил каналов.")
    rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=sniff_delimiter(lines[:20])))
    header = [norm(h).replace("_pattern", "") for h in rows[0]]
    if "channel" not in header:
        raise ImportRefused(f"{name} has no 'channel' column; a rules file has columns source, medium, campaign, channel.",
                            ru=f"В {name} нет колонки 'channel'; в файле правил колонки source, medium, campaign, channel.")
    if not any(c in header for c in ("source", "medium", "campaign")):
        raise ImportRefused(f"{name} has none of the columns source, medium, campaign to match on.",
                            ru=f"В {name} нет ни одной из колонок source, medium, campaign для сопоставления.")
    out = []
    for n, r in enumerate(rows[1:], start=2):
        rec = dict(zip(header, [export.uncell(c.strip()) for c in r]))
        if not rec.get("channel"):
            raise ImportRefused(f"{name}, line {n}: a rule without a channel.",
                                ru=f"{name}, строка {n}: правило без канала.")
        out.append({
            "position": (len(out) + 1) * 10,
            "source_pattern": rec.get("source") or "*",
            "medium_pattern": rec.get("medium") or "*",
            "campaign_pattern": rec.get("campaign") or "*",
            "channel": rec["channel"],
        })
    if not out:   # replacing every rule with nothing is never what a header-only file means
        raise ImportRefused(f"{name} has a header but no rules; the channel rules were left as they are.",
                            ru=f"В {name} есть заголовок, но нет правил; правила каналов не изменены.")
    return pd.DataFrame(out, columns=list(RULE_COLUMNS))


def save_rules(rules: pd.DataFrame, path: str | os.PathLike | None = None) -> dict[str, int]:
    """Replace all channel rules (in their row order) and re-resolve stored channels, in one write."""
    rules = rules.copy()
    for c in RULE_COLUMNS:
        if c not in rules.columns:
            rules[c] = None
    rules = rules[[c for c in RULE_COLUMNS]]
    rules = rules[rules["channel"].notna() & (rules["channel"].astype(str).str.strip() != "")]
    rules = rules.reset_index(drop=True)
    rules["position"] = [(i + 1) * 10 for i in range(len(rules))]
    for c in ("source_pattern", "medium_pattern", "campaign_pattern"):
        rules[c] = rules[c].fillna("*").astype(str).str.strip().replace("", "*")
    rules["channel"] = rules["channel"].astype(str).str.strip()
    with db.writer(path) as con:
        con.execute("delete from channel_rules")
        con.register("new_rules", rules)
        con.execute("insert into channel_rules by name select * from new_rules")
        con.unregister("new_rules")
        return reresolve(con)


def rules_csv(rules: pd.DataFrame) -> str:
    """The rules as the CSV `rules import` reads."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["source", "medium", "campaign", "channel"])
    for r in rules.itertuples(index=False):
        w.writerow([export.cell(v) for v in (r.source_pattern, r.medium_pattern, r.campaign_pattern, r.channel)])
    return out.getvalue()
