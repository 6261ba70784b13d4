"""The thin Streamlit layer: one DB connection per process, cached queries, the shared filters, cards.

The only library module that imports Streamlit. Pages call `state()` for the filters and language,
`run` (or a report with `run`) for data, and the drawing helpers here for the common pieces.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from fullfunnel import FullfunnelError, db, fmt, periods
from fullfunnel.filters import Filters, build
from fullfunnel.i18n import LANGS, pick_lang, t


@dataclass(frozen=True)
class State:
    filters: Filters
    lang: str


# ---------------------------------------------------------------- data


@st.cache_resource(show_spinner=False)
def reader(path: str) -> db.Reader:
    """One read-only connection per process and database file; cursors per query."""
    return db.Reader(path)


def _freeze(params: dict[str, Any]) -> tuple:
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))


@st.cache_data(ttl=3600, max_entries=512, show_spinner=False)
def _cached(path: str, stamp: tuple[int, int], name: str, frozen: tuple) -> pd.DataFrame:
    params = {k: (list(v) if isinstance(v, tuple) else v) for k, v in frozen}
    return reader(path).query(name, params)


def run(name: str, params: dict[str, Any]) -> pd.DataFrame:
    """Run queries/<name>.sql, cached on its scalar arguments and on the file's identity.

    The file stamp changes whenever an import lands, so new data never hides behind the cache.
    """
    r = reader(str(db.db_path()))
    return _cached(str(r.path), r.stamp(), name, _freeze(params))


def clear_cache() -> None:
    """Forget cached results (after an import or a settings change in this process)."""
    _cached.clear()


def report(name: str, **options) -> pd.DataFrame:
    """A registered report for the current filters: the same table `fullfunnel report NAME` prints."""
    from fullfunnel import reports

    return reports.get(name).func(run, state().filters, **options)


# ---------------------------------------------------------------- filters


def _labels(prefix: str, lang: str):
    return lambda key: t(f"{prefix}.{key}", lang)


def sidebar_filters() -> State:
    """Draw the shared filters (bound to the URL) and remember them for the page about to run."""
    sb = st.sidebar
    default_lang = pick_lang(st.context.locale)
    lang = sb.selectbox(
        "Language / Язык", LANGS, index=LANGS.index(default_lang), key="lang", bind="query-params",
        format_func=lambda x: {"en": "English", "ru": "Русский"}[x],
    )
    run_plain = lambda name, params: run(name, params)  # noqa: E731
    conf_tz = periods.business_tz(_settings().get("business_tz"))
    today = periods.today_in(conf_tz)
    preset = sb.selectbox(
        t("app.period", lang), periods.PRESETS, index=periods.PRESETS.index("last_30_days"),
        key="period", bind="query-params", format_func=_labels("preset", lang),
    )
    start = end = None
    if preset == "custom":
        default = periods.preset_range("last_30_days", today)
        c1, c2 = sb.columns(2)
        start = c1.date_input(t("app.from", lang), value=default.start, key="from", bind="query-params",
                              format="DD.MM.YYYY" if lang == "ru" else "YYYY-MM-DD")
        end = c2.date_input(t("app.to", lang), value=default.end, key="to", bind="query-params",
                            format="DD.MM.YYYY" if lang == "ru" else "YYYY-MM-DD")
        if end < start:
            sb.error(t("app.bad_range", lang))
            end = start
    grain = sb.radio(
        t("app.grain", lang), periods.GRAINS, index=0, key="grain", bind="query-params",
        format_func=_labels("grain", lang), horizontal=True,
    )
    compare = sb.selectbox(
        t("app.compare", lang), periods.COMPARES, index=0, key="compare", bind="query-params",
        format_func=_labels("compare", lang),
    )
    channels = sb.multiselect(
        t("app.channels", lang), channel_options(), key="channels", bind="query-params",
        placeholder=t("app.channels_all", lang),
    )
    f = build(run_plain, preset=preset, start=start, end=end, grain=grain, compare=compare,
              channels=channels, tz=conf_tz)
    sb.caption(t("app.tz", lang, tz=f.tz, currency=f.currency))
    s = State(filters=f, lang=lang)
    st.session_state["_ff_state"] = s
    return s


def _settings() -> dict[str, str]:
    df = run("meta/settings", {})
    return dict(zip(df["key"], df["value"]))


def channel_options() -> list[str]:
    return run("meta/channels", {})["channel"].tolist()


def state() -> State:
    """The filters and language chosen in the sidebar for this run."""
    s = st.session_state.get("_ff_state")
    if s is None:  # a page run on its own (tests): draw the filters first
        s = sidebar_filters()
    return s


def presence() -> dict[str, int]:
    """Rows per kind of data, to tell "never imported" from "zero in this period"."""
    df = run("meta/data_presence", {})
    return dict(zip(df["kind"], df["rows_n"].astype(int)))


# ---------------------------------------------------------------- drawing


def period_caption(s: State) -> str:
    f, lang = s.filters, s.lang

    def rng(p):
        return f"{fmt.day(p.start, lang)} – {fmt.day(p.end, lang)}"

    cmp = f.comparison_period
    if cmp is None:
        return t("app.no_comparison", lang, period=rng(f.period))
    return t("app.period_shown", lang, period=rng(f.period), comparison=rng(cmp))


def kpi(container, label: str, value: str, change_pct: float | None, help: str,
        previous: str | None = None, inverse: bool = False) -> None:
    """A big number with its change vs the comparison period ('—' when there is nothing to compare)."""
    lang = state().lang
    delta = None if change_pct is None or pd.isna(change_pct) else fmt.pct(change_pct, lang, signed=True)
    if previous is not None:
        help = f"{help}\n\n{previous}"
    container.metric(label, value, delta=delta, help=help, border=True,
                     delta_color="inverse" if inverse else "normal")


def show_error(e: Exception) -> None:
    """A user-caused problem as one sentence; anything else is a bug and keeps its traceback."""
    if isinstance(e, FullfunnelError):
        st.error(str(e))
    else:
        raise e


def today() -> date:
    return periods.today_in(state().filters.tz)
