"""`python -m fullfunnel bench --pages`: only the pages asked for, in the usual order; a misspelt one refused."""
import pytest

from fullfunnel import FullfunnelError, bench, cli


def test_pages_are_taken_with_or_without_py_and_kept_in_page_order():
    assert bench._pages("roi, funnel.py") == ["funnel.py", "roi.py"]
    assert bench._pages(None) is None and bench._pages("") is None


def test_a_misspelt_page_is_one_sentence_before_any_demo_is_built(tmp_path, capsys):
    with pytest.raises(FullfunnelError, match="no page funel.py"):
        bench._pages("funel")
    rc = cli.main(["bench", "--db", str(tmp_path / "none.duckdb"), "--pages", "funel"])
    assert rc != 0
    assert "error: --pages: no page funel.py" in capsys.readouterr().err
    assert not (tmp_path / "none.duckdb").exists()
