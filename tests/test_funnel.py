"""The funnel reports on a hand-made pipeline with stage history (METRICS.md "Leads", "Deals and the funnel").

Period: the ISO week 2026-11-02 (Mon) … 2026-11-08 (Sun), business zone UTC, against the previous
week 2026-10-26 … 2026-11-01. Pipeline '' with open stages New (1) → Meeting (2) → Proposal (3),
then Won (4, won) and Lost (5, lost).

Marketing (no raw sessions, so sessions come from the daily traffic aggregates):
  impressions 1000 yandex + 1000 vk = 2000; clicks 100 + 50 = 150; sessions 60 + 30 = 90.
  Previous week: impressions 500, clicks 40, sessions 20 (all yandex_direct).
Leads created in the week: L1 L2 L3 L7 yandex_direct, L4 L5 L6 vk_ads, L8 seo = 8;
  junk: L3 spam, L5 unreachable, L6 unreachable, L8 duplicate = 4; target 4.
  Previous week: L0 yandex target, L9 vk junk spam → leads 2, target 1.
Deals (history = deal_stages rows; times UTC):
  D0 (lead L0, previous week): New 10-28 12:00, Meeting 11-03 12:00, Won 11-04 12:00 (closed).
  D1 (L1): New 11-02 09:00, Meeting 11-03 21:00, Proposal 11-05 09:00, Won 11-10 09:00 (closed; after the week).
  D2 (L2): New 11-03 12:00, Meeting 11-04 12:00, Lost 11-05 12:00, reason "price".
  D4 (L4): no history at all, lost, closed 11-09 12:00 (after the week), reason "no answer".
  D7 (L7): New 11-06 12:00, Proposal 11-07 12:00 (skipped Meeting), still open in Proposal.
Cohort view (deals of the week's leads: D1 D2 D4 D7):
  New 4 (all); Meeting 3 (D1, D2 lost after it, D7 skipped into Proposal; not D4: lost without
  history counts only in New); Proposal 2 (D1, D7); Won 1 (D1).
  Previous-week cohort: D0 → New 1, Meeting 1, Proposal 1 (won deals count in every open stage), Won 1;
  compared at the same age: the data runs to 11-10 (D1 closed), so this week's leads are followed 2 to
  8 days; last week's are counted up to 11-10 − 7 = 11-03: D0 New (10-28) and Meeting (11-03), not
  Proposal or Won (reached 11-04) → New 1, Meeting 1, Proposal 0, Won 0.
Cash view (the date a deal reached stage k = its earliest entry into k or later; won = closed_at):
  New: D1 11-02, D2 11-03, D4 11-04 (created; no history), D7 11-06 = 4 (D0 reached New 10-28: no);
  Meeting: D1 11-03, D2 11-04, D7 11-07 (via Proposal), D0 11-03 = 4;
  Proposal: D1 11-05, D7 11-07, D0 11-04 (won) = 3; Won: D0 11-04 = 1 (D1 is won 11-10, after).
  Previous-week cash: New 1 (D0), Meeting 0, Proposal 0, Won 0.
Junk reasons: unreachable 2 (50 %), duplicate 1 (25 %), spam 1 (25 %).
Junk rate per channel: yandex_direct 1/4 = 25 %, vk_ads 2/3, seo 1/1 = 100 %.
Lost: cohort — D2 at Meeting ("price"), D4 at an unknown stage ("no answer"); cash — only D2 (D4 is
  lost on 11-09). Lost deals without history: cohort 1 (D4), cash 0.
Time in stage, cohort: New D1 1.5 d, D2 1 d, D7 1 d → median 1, mean 3.5/3; Meeting D1 1.5 d
  (to Proposal), D2 1 d (to Lost) → median 1.25; Proposal D1 5 d (D7 still there: left out).
Deal cycle: cohort D1 8 days (11-02 09:00 → 11-10 09:00); cash D0 7 days.
"""
import json
from dataclasses import replace
from datetime import date

import pandas as pd
import pytest

from fullfunnel import FullfunnelError, cli, db
from fullfunnel.filters import Filters
from fullfunnel.periods import Period
from fullfunnel.reports import get
from fullfunnel.reports.funnel import notes as deal_notes

WEEK = Period(date(2026, 11, 2), date(2026, 11, 8))

FUNNEL_SQL = """
insert into settings values ('business_tz', 'UTC'), ('currency', 'RUB');
insert into stages (pipeline, stage, position, kind) values
    ('', 'New', 1, 'open'), ('', 'Meeting', 2, 'open'), ('', 'Proposal', 3, 'open'),
    ('', 'Won', 4, 'won'), ('', 'Lost', 5, 'lost');
insert into spend (date, channel, campaign, spend, impressions, clicks, currency) values
    ('2026-11-02', 'yandex_direct', 'brand', 3000, 1000, 100, 'RUB'),
    ('2026-11-03', 'vk_ads', 'retarget', 1000, 1000, 50, 'RUB'),
    ('2026-10-27', 'yandex_direct', 'brand', 1500, 500, 40, 'RUB'),
    ('2026-10-26', 'yandex_direct', 'brand', 0, 0, 0, 'RUB');  -- the data covers the previous week
insert into traffic (date, channel, campaign, sessions, visitors) values
    ('2026-11-02', 'yandex_direct', 'brand', 60, 50),
    ('2026-11-03', 'vk_ads', 'retarget', 30, 25),
    ('2026-10-27', 'yandex_direct', 'brand', 20, 20);
insert into leads (lead_id, created_at, channel, campaign, qualification, junk_reason, manager) values
    ('L0', '2026-10-28 12:00:00+00', 'yandex_direct', 'brand', 'target', null, 'Anna'),
    ('L9', '2026-10-29 12:00:00+00', 'vk_ads', 'retarget', 'junk', 'spam', 'Boris'),
    ('L1', '2026-11-02 09:00:00+00', 'yandex_direct', 'brand', 'target', null, 'Anna'),
    ('L2', '2026-11-03 10:00:00+00', 'yandex_direct', 'brand', 'target', null, 'Boris'),
    ('L3', '2026-11-03 11:00:00+00', 'yandex_direct', 'brand', 'junk', 'spam', 'Anna'),
    ('L4', '2026-11-04 10:00:00+00', 'vk_ads', 'retarget', 'target', null, 'Boris'),
    ('L5', '2026-11-05 10:00:00+00', 'vk_ads', 'retarget', 'junk', 'unreachable', 'Boris'),
    ('L6', '2026-11-05 11:00:00+00', 'vk_ads', 'retarget', 'junk', 'unreachable', 'Anna'),
    ('L7', '2026-11-06 10:00:00+00', 'yandex_direct', 'brand', 'target', null, 'Anna'),
    ('L8', '2026-11-07 10:00:00+00', 'seo', null, 'junk', 'duplicate', 'Anna');
insert into deals (deal_id, created_at, stage, status, lead_id, closed_at, amount, currency, lost_reason, manager) values
    ('D0', '2026-10-28 12:00:00+00', 'Won', 'won', 'L0', '2026-11-04 12:00:00+00', 2000, 'RUB', null, 'Anna'),
    ('D1', '2026-11-02 09:00:00+00', 'Won', 'won', 'L1', '2026-11-10 09:00:00+00', 1000, 'RUB', null, 'Anna'),
    ('D2', '2026-11-03 12:00:00+00', 'Lost', 'lost', 'L2', '2026-11-05 12:00:00+00', 500, 'RUB', 'price', 'Boris'),
    ('D4', '2026-11-04 12:00:00+00', 'Lost', 'lost', 'L4', '2026-11-09 12:00:00+00', 300, 'RUB', 'no answer', 'Boris'),
    ('D7', '2026-11-06 12:00:00+00', 'Proposal', 'open', 'L7', null, 700, 'RUB', null, 'Anna');
insert into deal_stages (deal_id, stage, entered_at) values
    ('D0', 'New', '2026-10-28 12:00:00+00'), ('D0', 'Meeting', '2026-11-03 12:00:00+00'),
    ('D0', 'Won', '2026-11-04 12:00:00+00'),
    ('D1', 'New', '2026-11-02 09:00:00+00'), ('D1', 'Meeting', '2026-11-03 21:00:00+00'),
    ('D1', 'Proposal', '2026-11-05 09:00:00+00'), ('D1', 'Won', '2026-11-10 09:00:00+00'),
    ('D2', 'New', '2026-11-03 12:00:00+00'), ('D2', 'Meeting', '2026-11-04 12:00:00+00'),
    ('D2', 'Lost', '2026-11-05 12:00:00+00'),
    ('D7', 'New', '2026-11-06 12:00:00+00'), ('D7', 'Proposal', '2026-11-07 12:00:00+00');
"""

STEPS = ["impressions", "clicks", "paid_sessions", "leads", "target_leads", "New", "Meeting", "Proposal", "won"]


@pytest.fixture(scope="module")
def funnel_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("funnel") / "funnel.duckdb"
    with db.writer(path, fresh=True) as con:
        con.execute(FUNNEL_SQL)
    return path


@pytest.fixture(scope="module")
def run(funnel_db):
    return db.Reader(funnel_db).query


@pytest.fixture
def wk() -> Filters:
    return Filters(period=WEEK, grain="day", compare="previous", tz="UTC", currency="RUB")


def col(df: pd.DataFrame, name: str, key: str = "step") -> dict:
    return dict(zip(df[key], df[name]))


# ---------------------------------------------------------------- the funnel rows


def test_cohort_funnel_counts_and_percentages(run, wk):
    df = get("funnel").func(run, wk)
    assert list(df.columns) == ["step", "count", "previous_count", "step_conversion_pct",
                                "overall_conversion_pct", "drop_off"]
    assert df["step"].tolist() == STEPS
    assert df["count"].tolist() == [2000, 150, 90, 8, 4, 4, 3, 2, 1]
    assert df["previous_count"].tolist() == [500, 40, 20, 2, 1, 1, 1, 0, 0]  # last week's cohort at the same age
    step = col(df, "step_conversion_pct")
    assert pd.isna(step["impressions"])
    assert step["clicks"] == pytest.approx(7.5)          # 150 / 2000
    assert step["paid_sessions"] == pytest.approx(60.0)  # 90 / 150
    assert step["leads"] == pytest.approx(800 / 90)      # 8 / 90
    assert step["target_leads"] == pytest.approx(50.0)   # 4 / 8
    assert step["New"] == pytest.approx(100.0)           # 4 / 4
    assert step["Meeting"] == pytest.approx(75.0)        # 3 / 4
    assert step["Proposal"] == pytest.approx(200 / 3)    # 2 / 3
    assert step["won"] == pytest.approx(50.0)            # 1 / 2
    overall = col(df, "overall_conversion_pct")
    assert overall["impressions"] == 100.0 and overall["won"] == pytest.approx(0.05)  # 1 / 2000
    assert overall["New"] == pytest.approx(0.2)          # 4 / 2000
    drop = df["drop_off"].tolist()
    assert pd.isna(drop[0]) and drop[1:] == [1850, 60, 82, 4, 0, 1, 1, 1]


def test_cash_view_counts_what_happened_in_the_week(run, wk):
    df = get("funnel").func(run, wk, view="cash")
    assert df["step"].tolist() == STEPS
    # marketing rows and leads are the same in both views; deal rows follow the dates of the moves
    assert df["count"].tolist() == [2000, 150, 90, 8, 4, 4, 4, 3, 1]
    assert df["previous_count"].tolist() == [500, 40, 20, 2, 1, 1, 0, 0, 0]
    assert col(df, "step_conversion_pct")["Proposal"] == pytest.approx(75.0)  # 3 / 4


def test_cohort_and_cash_won_are_different_deals(run, wk):
    cohort = get("funnel-items").func(run, wk, step="won", view="cohort")
    cash = get("funnel-items").func(run, wk, step="won", view="cash")
    assert cohort["item_id"].tolist() == ["D1"]   # the week's lead, won later (11-10)
    assert cash["item_id"].tolist() == ["D0"]     # last week's lead, won in this week (11-04)
    assert cash["step_date"].astype(str).tolist() == ["2026-11-04"]


def test_lost_deals_with_and_without_history(run, wk):
    items = {s: set(get("funnel-items").func(run, wk, step=s)["item_id"]) for s in ("New", "Meeting", "Proposal")}
    assert items["New"] == {"D1", "D2", "D4", "D7"}
    assert items["Meeting"] == {"D1", "D2", "D7"}   # D2 lost after Meeting; D4 (no history) only in New
    assert items["Proposal"] == {"D1", "D7"}        # D7 skipped Meeting but counts in it
    # the page's warning ("counts only in the first stage") comes from the same data
    assert deal_notes(run, wk)["lost_without_history_n"] == 1
    assert deal_notes(run, wk, view="cash")["lost_without_history_n"] == 0  # D4 was lost after the week


def test_counts_never_increase_downward_with_history(run, wk):
    for view in ("cohort", "cash"):
        df = get("funnel").func(run, wk, view=view)
        sales = df[df["step"].isin(["New", "Meeting", "Proposal", "won"])]["count"].tolist()
        if view == "cohort":
            assert df["count"].is_monotonic_decreasing
        assert sales == sorted(sales, reverse=True)


def test_overall_conversion_is_count_over_first_shown_row(run, wk):
    for f in (wk, replace(wk, channels=("seo",)), replace(wk, channels=("vk_ads",))):
        df = get("funnel").func(run, f)
        first = df["count"].iloc[0]
        for count, overall in zip(df["count"], df["overall_conversion_pct"]):
            assert overall == pytest.approx(100.0 * count / first) if first else pd.isna(overall)


def test_every_count_equals_its_drill_down(run, wk):
    for view in ("cohort", "cash"):
        df = get("funnel").func(run, wk, view=view)
        for step, count in zip(df["step"], df["count"]):
            if step in ("impressions", "clicks", "paid_sessions", "other_sessions"):
                continue
            items = get("funnel-items").func(run, wk, step=step, view=view)
            assert len(items) == count, (view, step)


def test_channel_filter_recomputes_the_funnel(run, wk):
    df = get("funnel").func(run, replace(wk, channels=("yandex_direct",)))
    assert df["count"].tolist() == [1000, 100, 60, 4, 3, 3, 3, 2, 1]  # D1 D2 D7 → D1 D2 D7 → D1 D7 → D1
    seo = get("funnel").func(run, replace(wk, channels=("seo",)))
    # seo has no ad or traffic data: the funnel starts at leads, no zero rows for it
    assert seo["step"].tolist() == ["leads", "target_leads", "New", "Meeting", "Proposal", "won"]
    assert seo["count"].tolist() == [1, 0, 0, 0, 0, 0]


def test_funnel_by_channel_side_by_side(run, wk):
    df = get("funnel-by-channel").func(run, wk, top="2")
    assert list(dict.fromkeys(df["channel"])) == ["yandex_direct", "vk_ads"]  # most leads first
    vk = df[df["channel"] == "vk_ads"]
    assert vk["count"].tolist() == [1000, 50, 30, 3, 1, 1, 0, 0, 0]
    assert col(vk, "overall_conversion_pct")["leads"] == pytest.approx(0.3)  # 3 / 1000
    with pytest.raises(FullfunnelError):
        get("funnel-by-channel").func(run, wk, top="many")


def test_rows_without_imported_data_are_hidden(tmp_path, wk):
    path = tmp_path / "leads_only.duckdb"
    with db.writer(path, fresh=True) as con:
        con.execute("insert into leads (lead_id, created_at, channel) values ('A', '2026-11-03 10:00:00+00', 'seo')")
    df = get("funnel").func(db.Reader(path).query, wk)
    # no ads, no traffic, no qualification, no deals: only the leads row
    assert df["step"].tolist() == ["leads"] and df["count"].tolist() == [1]
    empty = tmp_path / "empty.duckdb"
    db.create_empty(empty)
    assert get("funnel").func(db.Reader(empty).query, wk).empty


def test_without_stages_all_deals_are_one_row(tiny_run, week):
    # conftest's tiny DB: raw sessions win over traffic, no `stages` → one 'deals' row
    df = get("funnel").func(tiny_run, week)
    assert df["step"].tolist() == ["impressions", "clicks", "paid_sessions", "other_sessions", "leads",
                                   "target_leads", "deals", "won"]
    # S1 S2 yandex_direct (spend in the week) follow the clicks; S3 seo is another visit
    assert (col(df, "count")["paid_sessions"], col(df, "count")["other_sessions"]) == (2, 1)
    assert col(df, "count")["deals"] == 5 and col(df, "count")["won"] == 3  # D1 D2 D4 D5 D6; won D1 D2 D5


# ---------------------------------------------------------------- junk, lost, time


def test_junk_reasons_and_share(run, wk):
    df = get("junk").func(run, wk)
    assert list(df.columns) == ["junk_reason", "leads", "share_pct"]
    assert df["junk_reason"].tolist() == ["unreachable", "duplicate", "spam"]
    assert df["leads"].tolist() == [2, 1, 1]
    assert df["share_pct"].tolist() == pytest.approx([50.0, 25.0, 25.0])


def test_junk_rate_per_channel(run, wk):
    df = get("junk-by-channel").func(run, wk)
    assert list(df.columns) == ["channel", "leads", "junk_leads", "junk_rate_pct"]
    assert df["channel"].tolist() == ["yandex_direct", "vk_ads", "seo"]
    assert df["leads"].tolist() == [4, 3, 1] and df["junk_leads"].tolist() == [1, 2, 1]
    assert df["junk_rate_pct"].tolist() == pytest.approx([25.0, 200 / 3, 100.0])


def test_lost_by_stage_and_reason(run, wk):
    df = get("lost").func(run, wk)
    assert list(df.columns) == ["stage", "lost_reason", "deals"]
    rows = [(None if pd.isna(s) else s, r, n) for s, r, n in zip(df["stage"], df["lost_reason"], df["deals"])]
    assert rows == [("Meeting", "price", 1), (None, "no answer", 1)]
    cash = get("lost").func(run, wk, view="cash")
    assert cash["stage"].tolist() == ["Meeting"] and cash["deals"].tolist() == [1]
    lost_items = get("funnel-items").func(run, wk, step="lost")
    assert lost_items["item_id"].tolist() == ["D2", "D4"]
    assert lost_items["reason"].tolist() == ["price", "no answer"]


def test_time_in_stage_and_deal_cycle(run, wk):
    df = get("stage-time").func(run, wk)
    assert df["stage"].tolist() == ["New", "Meeting", "Proposal"]
    assert df["stays"].tolist() == [3, 2, 1]
    assert df["median_days"].tolist() == pytest.approx([1.0, 1.25, 5.0])
    assert df["mean_days"].tolist() == pytest.approx([3.5 / 3, 1.25, 5.0])
    cash = get("stage-time").func(run, wk, view="cash")
    assert col(cash, "stays", "stage")["Meeting"] == 3   # D1, D2 and D0 (entered Meeting 11-03)
    cycle = get("deal-cycle").func(run, wk)
    assert cycle.iloc[0].tolist() == [1, 8.0, 8.0]
    assert get("deal-cycle").func(run, wk, view="cash").iloc[0].tolist() == [1, 7.0, 7.0]


# ---------------------------------------------------------------- drill-down and CLI


def test_drill_down_rows_carry_what_a_manager_needs(run, wk):
    df = get("funnel-items").func(run, wk, step="Meeting")
    assert list(df.columns) == ["item_id", "item_type", "created_date", "step_date", "channel", "campaign",
                                "manager", "amount", "currency", "stage", "status", "reason"]
    d7 = df[df["item_id"] == "D7"].iloc[0]
    assert d7["channel"] == "yandex_direct" and d7["campaign"] == "brand" and d7["manager"] == "Anna"
    assert d7["amount"] == 700 and d7["stage"] == "Proposal" and d7["status"] == "open"
    junk = get("funnel-items").func(run, wk, step="junk")
    assert junk["item_id"].tolist() == ["L3", "L5", "L6", "L8"]


def test_drill_down_refuses_aggregate_and_unknown_steps(run, wk):
    with pytest.raises(FullfunnelError, match="no individual"):
        get("funnel-items").func(run, wk, step="clicks")
    with pytest.raises(FullfunnelError, match="New, Meeting, Proposal"):
        get("funnel-items").func(run, wk, step="Negotiation")


def test_cli_prints_the_funnel(funnel_db, capsys):
    rc = cli.main(["report", "funnel", "--db", str(funnel_db), "--from", "2026-11-02", "--to", "2026-11-08",
                   "--view", "cash", "--format", "json"])
    assert rc == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["step"] for r in rows] == STEPS
    meeting = next(r for r in rows if r["step"] == "Meeting")
    assert meeting["count"] == 4 and meeting["previous_count"] == 0 and meeting["drop_off"] == 0


def test_cli_items_csv_and_one_sentence_error(funnel_db, capsys):
    rc = cli.main(["report", "funnel-items", "--db", str(funnel_db), "--from", "2026-11-02", "--to", "2026-11-08",
                   "--step", "Proposal"])
    assert rc == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("item_id,item_type,created_date,step_date,")
    assert [line.split(",")[0] for line in out[1:]] == ["D1", "D7"]
    rc = cli.main(["report", "funnel-items", "--db", str(funnel_db), "--from", "2026-11-02", "--to", "2026-11-08"])
    err = capsys.readouterr().err.strip()
    assert rc == 1 and err.startswith("error:") and "--step" in err and "\n" not in err


def test_one_pipeline_at_a_time_and_raw_sessions_win(tmp_path, wk):
    """Pipeline A has 2 deals (P1 open in S2 without history, P2 won), B has 1 (P3 in X1), none with a lead.
    Raw sessions (1) are used even though daily traffic (50) was imported too."""
    path = tmp_path / "pipes.duckdb"
    with db.writer(path, fresh=True) as con:
        con.execute("""
        insert into stages (pipeline, stage, position, kind) values
            ('A', 'S1', 1, 'open'), ('A', 'S2', 2, 'open'), ('A', 'Won', 3, 'won'),
            ('B', 'X1', 1, 'open'), ('B', 'Won', 2, 'won');
        insert into deals (deal_id, created_at, stage, status, closed_at, pipeline) values
            ('P1', '2026-11-03 10:00:00+00', 'S2', 'open', null, 'A'),
            ('P2', '2026-11-03 11:00:00+00', 'Won', 'won', '2026-11-04 10:00:00+00', 'A'),
            ('P3', '2026-11-03 12:00:00+00', 'X1', 'open', null, 'B');
        insert into sessions (session_id, visitor_id, started_at, pageviews, duration_s) values
            ('S', 'V', '2026-11-03 10:00:00+00', 1, 5);
        insert into traffic (date, sessions, visitors) values ('2026-11-03', 50, 40);
        """)
    run = db.Reader(path).query
    from fullfunnel.reports.funnel import pipelines
    assert pipelines(run) == ["A", "B"]
    df = get("funnel").func(run, wk)
    # no leads imported: the funnel goes from sessions straight to the stages of pipeline A
    assert df["step"].tolist() == ["sessions", "S1", "S2", "won"]
    assert df["count"].tolist() == [1, 2, 2, 1]
    b = get("funnel").func(run, wk, pipeline="B")
    assert b["step"].tolist() == ["sessions", "X1", "won"] and b["count"].tolist() == [1, 1, 0]
    assert deal_notes(run, wk)["pipelines_n"] == 2
    assert get("funnel-items").func(run, wk, step="S2")["channel"].tolist() == ["unknown", "unknown"]


PAID_PATH_SQL = """
insert into spend (date, channel, campaign, spend, impressions, clicks, currency) values
    ('2026-11-03', 'vk_ads', '', 500, 100, 10, 'RUB');
insert into traffic (date, channel, sessions, visitors) values
    ('2026-11-03', 'vk_ads', {vk}, 8), ('2026-11-03', 'seo', 30, 25), ('2026-11-04', 'direct', 2, 2);
insert into leads (lead_id, created_at, channel) values
    ('A', '2026-11-03 10:00:00+00', 'seo'), ('B', '2026-11-03 11:00:00+00', 'seo'),
    ('C', '2026-11-03 12:00:00+00', 'vk_ads'), ('D', '2026-11-04 12:00:00+00', 'vk_ads');
"""


def _paid_path(tmp_path, vk: int):
    path = tmp_path / f"paid{vk}.duckdb"
    with db.writer(path, fresh=True) as con:
        con.execute(PAID_PATH_SQL.format(vk=vk))
    return db.Reader(path).query


def test_the_funnel_follows_the_paid_path_and_shows_other_visits_beside_it(tmp_path, wk, capsys):
    """Ads (vk_ads): 100 impressions, 10 clicks. Traffic: vk_ads 8, seo 30, direct 2 = 40 visits. Leads: 4.
    The chain: impressions 100 → clicks 10 (10 %, drop-off 90) → paid sessions 8 (vk_ads has ad spend:
    80 %, drop-off 2); the other 32 visits (seo, direct) are an entry of their own, no conversion and no
    drop-off; leads come from all 8 + 32 = 40 visits: 4 / 40 = 10 %, drop-off 36. No row is larger than
    its previous count, no drop-off is negative."""
    run = _paid_path(tmp_path, vk=8)
    df = get("funnel").func(run, wk)
    assert df["step"].tolist() == ["impressions", "clicks", "paid_sessions", "other_sessions", "leads"]
    assert df["count"].tolist() == [100, 10, 8, 32, 4]
    d = df.set_index("step")
    assert (d.loc["clicks", "step_conversion_pct"], d.loc["clicks", "drop_off"]) == (10.0, 90)
    assert (d.loc["paid_sessions", "step_conversion_pct"], d.loc["paid_sessions", "drop_off"]) == (80.0, 2)
    other = d.loc["other_sessions"]
    assert pd.isna(other["step_conversion_pct"]) and pd.isna(other["drop_off"])
    assert pd.isna(other["overall_conversion_pct"])
    assert (d.loc["leads", "step_conversion_pct"], d.loc["leads", "drop_off"]) == (10.0, 36)
    assert (df["drop_off"].dropna() >= 0).all() and (df["step_conversion_pct"].dropna() <= 100).all()
    # `report funnel` prints the same rows
    assert cli.main(["report", "funnel", "--db", str(tmp_path / "paid8.duckdb"), "--from", "2026-11-02",
                     "--to", "2026-11-08", "--format", "csv"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split(",")[0] for line in out[1:]] == df["step"].tolist()
    assert out[4].startswith("other_sessions,32,")


def test_a_channel_filter_without_ads_shows_all_its_visits_as_sessions(tmp_path, wk):
    """seo alone has no ad rows: no paid path, its 30 visits are the sessions row (leads 2: 2 / 30)."""
    df = get("funnel").func(_paid_path(tmp_path, vk=8), replace(wk, channels=("seo",))).set_index("step")
    assert df.index.tolist() == ["sessions", "leads"] and df["count"].tolist() == [30, 2]
    assert df.loc["leads", "drop_off"] == 28


def test_more_paid_sessions_than_clicks_has_no_conversion_and_no_negative_drop_off(tmp_path, wk):
    """Analytics counts 12 vk_ads visits for 10 ad clicks (the two sources disagree): the paid sessions
    row shows no conversion and no drop-off rather than 120 % and −2."""
    d = get("funnel").func(_paid_path(tmp_path, vk=12), wk).set_index("step")
    assert d.loc["paid_sessions", "count"] == 12
    assert pd.isna(d.loc["paid_sessions", "step_conversion_pct"]) and pd.isna(d.loc["paid_sessions", "drop_off"])
    assert d.loc["leads", "step_conversion_pct"] == pytest.approx(100 * 4 / 44)  # 4 / (12 + 32)
    assert d.loc["leads", "drop_off"] == 40
