"""The thin Streamlit layer: one DB connection per process, cached queries, the shared filters, cards.

The only library module that imports Streamlit. Pages call `state()` for the filters and language,
`run` (or a report with `run`) for data, and the drawing helpers here for the common pieces.
"""
from __future__ import annotations

import atexit
import copy
import gc
import hashlib
import math
import os
import pickle
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from fullfunnel import FullfunnelError, db, fmt, periods
from fullfunnel.filters import Filters, build
from fullfunnel.i18n import LANGS, language_name, pick_lang, t


# Vega formats chart axes and tooltips in English (1,234.5) unless told otherwise: Russian charts
# get the same 1 234,5 as the tables. An Altair theme is applied when a chart is drawn, in the
# session's own script thread, so it can follow that session's language.
_RU_CHART_LOCALE = {
    "number": {"decimal": ",", "thousands": "\u00a0", "grouping": [3], "currency": ["", "\u00a0₽"]},
    "time": {"dateTime": "%A, %e %B %Y г. %X", "date": "%d.%m.%Y", "time": "%H:%M:%S",
             "periods": ["AM", "PM"],
             "days": ["воскресенье", "понедельник", "вторник", "среда", "четверг", "пятница", "суббота"],
             "shortDays": ["вс", "пн", "вт", "ср", "чт", "пт", "сб"],
             "months": ["январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь",
                        "октябрь", "ноябрь", "декабрь"],
             "shortMonths": ["янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"]},
}


@alt.theme.register("fullfunnel", enable=True)
def _chart_theme():
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    # outside a running page (a chart built in a test or a script) there is no session to ask
    ru = get_script_run_ctx(suppress_warning=True) is not None and st.session_state.get("lang") == "ru"
    return alt.theme.ThemeConfig({"config": {"locale": _RU_CHART_LOCALE}} if ru else {})


# ------------------------------------------------------------------------------------------ charts
# A page run builds the same charts again and again from the same small frames (every rerun, every
# viewer). Building an Altair chart and turning it into a Vega-Lite spec costs 50–300 ms of Python per
# chart, over half of a warm page run; the spec depends only on the builder's arguments (and the
# session's language, through the theme), so it is kept per arguments and reused. The JSON-schema
# check of Altair (a third of the cost) runs in the tests (FULLFUNNEL_VALIDATE_CHARTS=1), where a
# malformed chart is a failure, not on every page a user opens.
VALIDATE_CHARTS = os.environ.get("FULLFUNNEL_VALIDATE_CHARTS") == "1"
_SPECS: OrderedDict[bytes, tuple] = OrderedDict()
_SPECS_LOCK = threading.Lock()
_SPECS_MAX = 256


def _fingerprint(obj: Any, h) -> None:
    """Feed obj into hash h: frames by their values, index, columns and types; the rest by repr
    (Altair objects, dates, periods and labels have exact reprs) or, for containers, item by item."""
    if isinstance(obj, (pd.DataFrame, pd.Series)):
        h.update(repr((type(obj).__name__, obj.shape, list(obj.columns) if isinstance(obj, pd.DataFrame)
                       else obj.name, [str(x) for x in (obj.dtypes if isinstance(obj, pd.DataFrame) else [obj.dtype])])).encode())
        try:
            h.update(pd.util.hash_pandas_object(obj, index=True).to_numpy().tobytes())
        except TypeError:   # unhashable cells (lists): the whole frame, pickled
            h.update(pickle.dumps(obj))
    elif isinstance(obj, (list, tuple)):
        h.update(f"{type(obj).__name__}[{len(obj)}".encode())
        for x in obj:
            _fingerprint(x, h)
    elif isinstance(obj, dict):
        h.update(f"dict[{len(obj)}".encode())
        for k, v in obj.items():
            _fingerprint(k, h)
            _fingerprint(v, h)
    else:
        h.update(f"{type(obj).__name__}:{obj!r};".encode())


class _Unchecked:
    """What Streamlit's conversion asks of a chart: its dict, here without the schema check."""

    def __init__(self, chart: alt.TopLevelMixin):
        self._chart = chart

    def to_dict(self) -> dict:
        return self._chart.to_dict(validate=VALIDATE_CHARTS)


def _spec(build, args: tuple, kwargs: dict) -> tuple[dict, tuple]:
    """The Vega-Lite spec (data as Arrow, as Streamlit sends it) of build(*args, **kwargs) and
    whatever else the builder returned, built once per distinct arguments."""
    from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

    h = hashlib.blake2b(digest_size=20)
    _fingerprint((build.__module__, build.__qualname__, st.session_state.get("lang"), args, kwargs), h)
    key = h.digest()
    with _SPECS_LOCK:
        hit = _SPECS.get(key)
        if hit is not None:
            _SPECS.move_to_end(key)
            return hit
    built = build(*args, **kwargs)
    chart, extra = (built[0], tuple(built[1:])) if isinstance(built, tuple) else (built, ())
    hit = (_convert_altair_to_vega_lite_spec(_Unchecked(chart)), extra)
    with _SPECS_LOCK:
        _SPECS[key] = hit
        while len(_SPECS) > _SPECS_MAX:
            _SPECS.popitem(last=False)
    return hit


def chart(target, build, *args, key: str | None = None, on_select="ignore", selection_mode=None, **kwargs):
    """Draw the chart build(*args, **kwargs) (a builder of fullfunnel.charts) full width in target
    (st or a column). Returns what Streamlit returns (the selection with on_select), followed by the
    builder's other results when it returns a tuple (chart, ...)."""
    spec, extra = _spec(build, args, kwargs)
    out = target.vega_lite_chart(copy.deepcopy(spec), width="stretch", key=key, on_select=on_select,
                                 selection_mode=selection_mode)
    return (out, *extra) if extra else out


# Styled tables likewise: Streamlit turns a pandas Styler into its cells' display text and CSS on every
# run (40–90 ms for a 20-row table with a colour per cell), though the result depends only on the frame
# and the styling's arguments. `table` draws it once per distinct arguments inside a cached function;
# later runs replay the recorded element (Streamlit's element replay of st.cache_data) without styling.
_TABLES_MAX = 64


@st.cache_data(max_entries=_TABLES_MAX, show_spinner=False)
def _drawn_table(key: bytes, _draw) -> None:
    _draw()


def table(target, style, frame: pd.DataFrame, *args, **kwargs) -> None:
    """st.dataframe(style(frame, *args), **kwargs) in target (st or a container). `style` returns the
    frame's Styler and may depend only on its arguments (and the session's language): a function of the
    page that reads a page variable must take it as an argument. Not for interactive tables (keys,
    selections): a replayed element is no widget."""
    code = style.__code__
    h = hashlib.blake2b(digest_size=20)
    _fingerprint((code.co_filename, code.co_firstlineno, style.__qualname__, st.session_state.get("lang"),
                  frame, args, kwargs), h)

    def draw() -> None:
        st.dataframe(style(frame, *args), **kwargs)

    if target is st:
        _drawn_table(h.digest(), draw)
    else:
        with target:
            _drawn_table(h.digest(), draw)


@dataclass(frozen=True)
class State:
    filters: Filters | None  # None when there is no database yet
    lang: str
    present: bool = False  # presentation mode: no sidebar, larger type


# Every number and label whole: a card's value shrinks with its card (cqi = % of the card's width)
# instead of ending in "…", labels and the delta's description wrap. At phone width two cards share
# a row. Presentation mode hides the sidebar and enlarges the type for a projector.
CSS = """<style>
[data-testid="stMetric"] { container-type: inline-size; }
[data-testid="stMetric"] .stMarkdownEllipsis, [data-testid="stMetric"] .stMarkdownEllipsis p,
[data-testid="stMetricDeltaDescription"] {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important; }
[data-testid="stMetricValue"] { font-size: clamp(1rem, 15cqi, 2.25rem) !important; line-height: 1.2; }
[data-testid="stMetricValue"] p { overflow-wrap: anywhere; }
div:has(> [data-testid="stMetricDelta"]) { flex-wrap: wrap; row-gap: 0.15rem; }
@media (max-width: 640px) {
  [data-testid="stHorizontalBlock"]:has(> [data-testid="stColumn"] [data-testid="stMetric"]) {
    flex-flow: row wrap !important; gap: 0.5rem !important; }
  [data-testid="stHorizontalBlock"] > [data-testid="stColumn"]:has([data-testid="stMetric"]) {
    flex: 1 1 calc(50% - 0.25rem) !important; width: calc(50% - 0.25rem) !important;
    min-width: calc(50% - 0.25rem) !important; }
}
</style>"""
# Streamlit's upload button has no label parameter: in Russian its own "Upload" is swapped for ours.
RU_CSS = """<style>
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p { font-size: 0; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {
  content: "Загрузить"; font-size: 0.875rem; }
</style>"""
PRESENT_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
[data-testid="stSidebarCollapseButton"] { display: none !important; }
[data-testid="stHeader"] { display: none; }
[data-testid="stMainBlockContainer"] { padding: 1rem 2rem 2rem; max-width: 100%; zoom: 1.12; }
@media (min-width: 1800px) { [data-testid="stMainBlockContainer"] { zoom: 1.45; } }
.st-key-ff_present { position: fixed; top: 0.4rem; right: 1.2rem; width: auto !important; z-index: 999990;
  background: var(--st-background-color, #fff); padding: 0 0.4rem; border-radius: 0.5rem; }
</style>"""


# ---------------------------------------------------------------- data


@st.cache_resource(show_spinner=False)
def reader(path: str) -> db.Reader:
    """One read-only connection per process and database file; cursors per query."""
    db.keep_spare_instance()
    return db.Reader(path)


def _freeze(params: dict[str, Any]) -> tuple:
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))


# Query results, per process: (file, its stamp, query, parameters) → frame. A plain dict, not
# st.cache_data: a page asks for 10–30 results per run, and Streamlit's hashing of the arguments and
# unpickling of the value cost ~1.5 ms each, a third of a warm page run. Each caller gets its own copy.
_RESULTS: OrderedDict[tuple, tuple[float, pd.DataFrame]] = OrderedDict()
_RESULTS_LOCK = threading.Lock()
_RESULTS_MAX = 512
_RESULTS_TTL = 3600.0


def _kept(key: tuple, make, wait: bool = True):
    """The value kept under key, else the one a worker is making (wait=True), else make() — kept and
    returned. Each caller gets its own copy."""
    now = time.monotonic()
    with _RESULTS_LOCK:
        hit = _RESULTS.get(key)
        if hit is not None and now - hit[0] < _RESULTS_TTL:
            _RESULTS.move_to_end(key)
            return _copy(hit[1])
        pending = _PENDING.get(key) if wait else None
    if pending is not None:
        try:
            return _copy(pending.result())
        except Exception:   # the worker failed: made here again, so the error is this run's, with its page
            pass
    value = make()
    _keep(key, value, now)
    return _copy(value)


def _keep(key: tuple, value, when: float) -> None:
    with _RESULTS_LOCK:
        _RESULTS[key] = (when, value)
        while len(_RESULTS) > _RESULTS_MAX:
            _RESULTS.popitem(last=False)


def _copy(value):
    return value.copy() if isinstance(value, pd.DataFrame) else copy.deepcopy(value)


def _query(r: db.Reader, name: str, params: dict[str, Any]) -> pd.DataFrame:
    key = (str(r.path), r.stamp(), name, _freeze(params))
    try:
        hash(key)
    except TypeError:   # a parameter of another kind (a dict): by its text
        key = key[:3] + (repr(key[3]),)
    return _kept(key, lambda: r.query(name, params), wait=False)


def run(name: str, params: dict[str, Any]) -> pd.DataFrame:
    """Run queries/<name>.sql, cached on its scalar arguments and on the file's identity.

    The file stamp changes whenever an import lands, so new data never hides behind the cache.
    """
    return _query(reader(str(db.db_path())), name, params)


def clear_cache() -> None:
    """Forget cached results and built charts (after an import or a settings change in this process)."""
    with _RESULTS_LOCK:
        _RESULTS.clear()
    with _SPECS_LOCK:
        _SPECS.clear()
    _drawn_table.clear()


# What a page shows lower down is read while its upper sections are drawn: `ahead(func, ...)` starts
# func(run, ...) — a report function of fullfunnel/reports, pure in its arguments — in a worker thread,
# and `call(func, ...)` where the section is drawn takes its result (waiting for it if need be), or
# makes it then when nothing was started. The workers touch no Streamlit state: they get the reader
# and every argument from the page's thread, and only run queries and pandas (DuckDB lets go of
# Python's lock while it works, so a query and the page's chart building overlap on two cores).
# Results are kept like the queries' (per file stamp and arguments) and shared between sessions.
_WORKERS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="ff-ahead")
_PENDING: dict[tuple, Future] = {}


def _call_key(r, func, args: tuple, kwargs: dict) -> tuple | None:
    """The key a call is kept under; None for an argument that cannot be one (a frame): not kept."""
    # and the day it is in the business zone: a report may count "up to today" (the same-age cohort,
    # the month so far) though its arguments are the same, as with a custom period after midnight
    tz = next((a.tz for a in args if isinstance(a, Filters)), "UTC")
    key = (str(r.path), r.stamp(), periods.today_in(tz), "call", func.__module__, func.__qualname__, args,
           _freeze(kwargs))
    try:
        hash(key)
    except TypeError:
        return None
    return key


def ahead(func, *args, **kwargs) -> None:
    """Start func(run, *args, **kwargs) in a worker, for a later `call` with the same arguments."""
    r = reader(str(db.db_path()))
    if type(r) is not db.Reader:   # another engine's client is not shared between threads
        return
    key = _call_key(r, func, args, kwargs)
    if key is None:   # made where it is asked for
        return
    with _RESULTS_LOCK:
        if key in _RESULTS or key in _PENDING:
            return
        future = _PENDING[key] = _WORKERS.submit(_work, r, key, func, args, kwargs)
    future.add_done_callback(lambda _: _forget_pending(key))


def _work(r, key: tuple, func, args: tuple, kwargs: dict):
    value = func(lambda name, params: _query(r, name, params), *args, **kwargs)
    _keep(key, value, time.monotonic())
    return value


def _forget_pending(key: tuple) -> None:
    with _RESULTS_LOCK:
        _PENDING.pop(key, None)


def call(func, *args, **kwargs):
    """func(run, *args, **kwargs), kept per file stamp and arguments; started earlier by `ahead`, or now."""
    r = reader(str(db.db_path()))
    key = _call_key(r, func, args, kwargs)
    if key is None:
        return func(run, *args, **kwargs)
    return _kept(key, lambda: func(run, *args, **kwargs))


def report(name: str, **options) -> pd.DataFrame:
    """A registered report for the current filters: the same table `fullfunnel report NAME` prints."""
    from fullfunnel import reports

    return call(reports.get(name).func, state().filters, **options)


def report_ahead(name: str, **options) -> None:
    """Start `report(name, **options)` in a worker (see `ahead`)."""
    from fullfunnel import reports

    ahead(reports.get(name).func, state().filters, **options)


# Python's full garbage collection walks every object the process holds — with Streamlit, pandas,
# Altair and DuckDB loaded ~150 k of them, 80–100 ms a pass — and it runs when it will, in the middle
# of some page's run (and Streamlit runs one after every script run). What the first run has loaded
# (the libraries, the compiled pages, the open file) stays for the life of the process: after it, it
# is moved out of the collector's sight (gc.freeze), so a full pass walks only what later runs made.
_SETTLED = False


def settle_memory() -> None:
    """Once per process, after the first page run: collect, then freeze what is left (see above)."""
    global _SETTLED
    if _SETTLED:
        return
    _SETTLED = True
    gc.collect()
    gc.freeze()
    atexit.register(gc.unfreeze)   # at exit everything is freed as usual


# ---------------------------------------------------------------- filters


def _labels(prefix: str, lang: str):
    return lambda key: t(f"{prefix}{key}", lang)


_URL_BACKED = "_ff_url_backed"  # session key: the widget keys seeded from the URL (see _keep_choices)
URL_KEYS = ("lang", "period", "from", "to", "grain", "compare", "channels", "currency")
DEFAULT_PRESET = "last_30_days"


def _seed(key: str, default, parse=str, valid=None) -> None:
    """Give a filter widget its first value from the URL (else the default), once per session."""
    st.session_state.setdefault(_URL_BACKED, set()).add(key)
    if key in st.session_state:
        return
    raw = st.query_params.get(key)
    value = default
    if raw not in (None, ""):
        try:
            parsed = parse(raw)
            if valid is None or parsed in valid:
                value = parsed
        except (ValueError, FullfunnelError):
            pass  # a mangled URL falls back to the default rather than failing the page
    st.session_state[key] = value


def _keep_choices() -> None:
    """Keep every URL-backed choice across a language switch (the language widget's on_change).

    Streamlit's choice widgets remember the *label* the browser shows ("Last month"); once the labels
    are in the other language that label matches no option and the widget would fall back to its
    first option. Writing each choice's code back into the session state makes it win over the stale
    label, and the widget is redrawn with the label in the new language.
    """
    for key in st.session_state.get(_URL_BACKED, ()):
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def _sync_url(values: dict[str, str | None]) -> None:
    """Write the filter state into the URL (defaults left out) so a reload or a shared link reproduces it."""
    qp = st.query_params
    for key, value in values.items():
        if value is None:
            if key in qp:
                del qp[key]
        elif qp.get(key) != value:
            qp[key] = value


def choice_ahead(key: str, options, default):
    """What url_choice(…, options, key, default) will most likely return later in this run (the
    session's choice, else the URL's, else the default), for reading its data ahead."""
    _seed(key, default, valid=list(options))
    value = st.session_state.get(key)
    return value if value in options else default


def url_choice(widget, label: str, options, key: str, default, **kwargs):
    """A page's own choice widget (st.segmented_control, st.radio, st.selectbox…) kept in the URL.

    The URL holds the option's code (`?view=cash`), not its translated label, so links survive a
    language switch; a value the page doesn't offer falls back to the default.
    """
    _seed(key, default, valid=list(options))
    if widget.__name__ == "segmented_control":
        kwargs.setdefault("required", True)
    value = widget(label, options, key=key, **kwargs)
    if value is None:  # a cleared single-choice control means the default
        value = default
    _sync_url({key: str(value) if value != default else None})
    return value


def url_number(widget, label: str, key: str, default: float, **kwargs) -> float:
    """A page's own number widget (st.number_input) kept in the URL (`?margin=35`)."""
    lo, hi = kwargs.get("min_value"), kwargs.get("max_value")

    def parse(raw: str) -> float:
        v = float(raw)
        if not math.isfinite(v) or (lo is not None and v < lo) or (hi is not None and v > hi):
            raise ValueError(raw)
        return v

    _seed(key, float(default), parse=parse)
    value = float(widget(label, key=key, **kwargs))
    _sync_url({key: f"{value:g}" if value != float(default) else None})
    return value


def url_flag(widget, label: str, key: str, default: bool = False, **kwargs) -> bool:
    """A page's own on/off widget (st.toggle, st.checkbox) kept in the URL as 1/0."""
    _seed(key, default, parse=lambda raw: raw == "1")
    value = bool(widget(label, key=key, **kwargs))
    _sync_url({key: ("1" if value else "0") if value != default else None})
    return value


def sidebar_filters() -> State:
    """Draw the shared filters, seeded from and written back to the URL, and remember them for the page."""
    sb = st.sidebar
    default_lang = pick_lang(st.context.locale)
    _seed("lang", default_lang, valid=LANGS)
    lang = sb.selectbox("Language / Язык", LANGS, key="lang", on_change=_keep_choices,
                        format_func=language_name)
    present = _presentation_toggle(lang)
    try:
        settings = _settings()
    except db.DatabaseMissing:  # nothing to filter yet; the Import page can still create the database
        s = State(filters=None, lang=lang, present=present)
        st.session_state["_ff_state"] = s
        return s
    conf_tz = periods.business_tz(settings.get("business_tz"))
    today = periods.today_in(conf_tz)

    pending = st.session_state.pop("_ff_jump", None)   # an import asked to open on what it brought
    if pending:
        jump_to(*pending)
    _seed("period", DEFAULT_PRESET, valid=periods.PRESETS)
    preset = sb.selectbox(t("app.period", lang), periods.PRESETS, key="period",
                          format_func=_labels("preset.", lang))
    start = end = None
    if preset == "custom":
        default = periods.preset_range(DEFAULT_PRESET, today)
        _seed("from", default.start, parse=periods.parse_date)
        _seed("to", default.end, parse=periods.parse_date)
        c1, c2 = sb.columns(2)
        date_fmt = "DD.MM.YYYY" if lang == "ru" else "YYYY-MM-DD"
        start = c1.date_input(t("app.from", lang), key="from", format=date_fmt)
        end = c2.date_input(t("app.to", lang), key="to", format=date_fmt)
        if end < start:
            sb.error(t("app.bad_range", lang))
            end = start

    _seed("grain", "day", valid=periods.GRAINS)
    grain = sb.radio(t("app.grain", lang), periods.GRAINS, key="grain", format_func=_labels("grain.", lang),
                     horizontal=True)
    _seed("compare", "previous", valid=periods.COMPARES)
    compare = sb.selectbox(t("app.compare", lang), periods.COMPARES, key="compare",
                           format_func=_labels("compare.", lang))
    options = channel_options()
    _seed("channels", [], parse=lambda raw: [c for c in raw.split(",") if c in options])
    channels = sb.multiselect(t("app.channels", lang), options, key="channels",
                              placeholder=t("app.channels_all", lang))

    currencies = run("meta/currencies", {})["currency"].tolist()
    currency = None
    main_currency = _settings().get("currency") or (currencies[0] if currencies else None)
    if len(currencies) > 1:  # never add two currencies: the user picks the one to report in
        cur_options = sorted(set(currencies) | {main_currency})
        _seed("currency", main_currency, valid=cur_options)
        currency = sb.selectbox(t("app.currency", lang), cur_options, key="currency")

    f = build(run, preset=preset, start=start, end=end, grain=grain, compare=compare,
              channels=channels, tz=conf_tz, currency=currency)
    _sync_url({
        "lang": lang if lang != default_lang else None,
        "period": preset if preset != DEFAULT_PRESET else None,
        "from": start.isoformat() if start else None,
        "to": end.isoformat() if end else None,
        "grain": grain if grain != "day" else None,
        "compare": compare if compare != "previous" else None,
        "channels": ",".join(channels) if channels else None,
        "currency": currency if currency and currency != main_currency else None,
    })
    sb.caption(t("app.tz", lang, tz=md(f.tz), currency=md(f.currency)))
    data_span(sb, f, lang)
    s = State(filters=f, lang=lang, present=present)
    st.session_state["_ff_state"] = s
    return s


def jump_to(first: date, last: date) -> None:
    """Make the chosen period the days first … last, with a grain that suits its length.

    Call it before the sidebar is drawn (or from a button's on_click): it sets the widgets' state.
    """
    days = (last - first).days
    st.session_state["period"] = "custom"
    st.session_state["from"] = first
    st.session_state["to"] = last
    st.session_state["grain"] = "month" if days > 120 else "week" if days > 45 else "day"


def data_span(sb, f, lang: str) -> None:
    """The span of the data in the sidebar; when the chosen period holds none of it, say so and offer it."""
    span = run("meta/data_span", {"tz": f.tz})
    if span.empty or pd.isna(span["first_day"].iloc[0]):
        return
    first, last = (pd.Timestamp(span[c].iloc[0]).date() for c in ("first_day", "last_day"))
    last_import = span["last_import"].iloc[0]
    text = t("app.data_span", lang, first=fmt.day(first, lang), last=fmt.day(last, lang))
    if not pd.isna(last_import):
        text += " · " + t("app.last_import", lang, when=fmt.day(pd.Timestamp(last_import).date(), lang))
    sb.caption(text)
    if f.period.end < first or f.period.start > last:
        st.warning(t("app.no_data_in_period", lang, first=fmt.day(first, lang), last=fmt.day(last, lang)),
                   icon=":material/event_busy:")
        st.button(t("app.show_span", lang, first=fmt.day(first, lang), last=fmt.day(last, lang)),
                  key="ff_show_span", on_click=jump_to, args=(first, last), type="primary")


def _presentation_toggle(lang: str) -> bool:
    """Presentation mode (`?present=1`): the switch sits in the sidebar, and at the top of the page
    while the sidebar is hidden, so the mode can be left the way it was entered."""
    on = st.session_state.get("present")
    if on is None:
        on = st.query_params.get("present") == "1"
    where = st.container(key="ff_present") if on else st.sidebar
    present = url_flag(where.toggle, t("app.present", lang), key="present", help=t("app.present_help", lang))
    st.html(CSS + (RU_CSS if lang == "ru" else "") + (PRESENT_CSS if present else ""))
    return present


def _settings() -> dict[str, str]:
    df = run("meta/settings", {})
    return dict(zip(df["key"], df["value"]))


def channel_options() -> list[str]:
    return run("meta/channels", {})["channel"].tolist()


def leave_old_style_pages() -> None:
    """Make sure app.py (filters + st.navigation) runs, even when a page URL is the first request.

    Streamlit treats a folder named pages/ as old-style multipage navigation until st.navigation is
    first called in the process: the first run after start-up would run a deep-linked page alone,
    and widgets made during that run get other ids, so the first click would reset the filters.
    Switch the process to st.navigation and rerun before any widget is drawn.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def state() -> State:
    """The filters and language chosen in the sidebar for this run."""
    leave_old_style_pages()
    s = st.session_state.get("_ff_state")
    if s is None:  # a page run on its own (tests): draw the filters first
        s = sidebar_filters()
    return s


def presence() -> dict[str, int]:
    """Rows per kind of data, to tell "never imported" from "zero in this period"."""
    df = run("meta/data_presence", {})
    return dict(zip(df["kind"], df["rows_n"].astype(int)))


# ---------------------------------------------------------------- drawing

md = fmt.md   # user text (names, file names, messages quoting them) shown literally in markdown



def period_caption(s: State) -> str:
    f, lang = s.filters, s.lang

    def rng(p):
        return f"{fmt.day(p.start, lang)} – {fmt.day(p.end, lang)}"

    cmp = f.comparison_period
    if f.uncovered_comparison is not None:
        return t("app.uncovered", lang, period=rng(f.period), comparison=rng(f.uncovered_comparison),
                 start=fmt.day(f.data_start, lang))
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
        st.error(md(str(e)))
    else:
        raise e


def today() -> date:
    return periods.today_in(state().filters.tz)


# ---------------------------------------------------------------- tables
# Streamlit draws an empty number cell as "None" whatever the Styler says, so in styled tables a
# missing value (CPL without leads, change from 0) is stored as +inf, shown as "—" and sorted last.

GOOD_TEXT, BAD_TEXT, NEUTRAL_TEXT = "color: #15803d", "color: #b91c1c", "color: #64748b"


def fit_width(texts) -> int:
    """A table column's width in pixels that shows its longest text whole: the grid sizes columns from
    a sample of rows and cuts a longer number at its left ("1,194.7%" for "11,194.7%")."""
    longest = max((len(str(x)) for x in texts), default=4)
    return int(min(max(longest * 8.5 + 30, 70), 420))


def missing_last(table: pd.DataFrame, columns) -> pd.DataFrame:
    """The columns as floats with missing values as +inf (see above)."""
    for c in columns:
        table[c] = pd.to_numeric(table[c], errors="coerce").astype("float64").fillna(math.inf)
    return table


def cell(unit: str, lang: str, currency: str):
    """A Styler formatter for one unit: '—' for a missing value."""
    return lambda x: fmt.DASH if x == math.inf else fmt.value(x, unit, lang, currency)


def change_cell(lang: str):
    """A Styler formatter for a change in %, whole percent, signed ('—' when there is none)."""
    return lambda x: fmt.DASH if x == math.inf else fmt.pct(round(x) or 0.0, lang, 0, signed=True)  # no "-0 %"


def change_colours(col: pd.Series, lower_better: bool = False) -> list[str]:
    """Green for a change for the better, red for the worse, grey for none or missing."""
    vals = col.replace(math.inf, math.nan)
    good = vals < 0 if lower_better else vals > 0
    bad = vals > 0 if lower_better else vals < 0
    return [GOOD_TEXT if g else BAD_TEXT if b else NEUTRAL_TEXT for g, b in zip(good, bad)]

