"""The README is the first thing a user reads: every command, report and page must be in it."""
import argparse
import ast
from pathlib import Path

from fullfunnel import cli, i18n, reports

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def subcommands(parser: argparse.ArgumentParser) -> list[str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices)
    return []


def test_the_two_commands_come_first():
    first_block = README.split("```bash", 1)[1].split("```", 1)[0]
    assert "python3 -m fullfunnel up" in first_block
    assert "python3 -m fullfunnel test" in first_block
    assert "python3 -m fullfunnel test" in (ROOT / ".ci" / "run").read_text()


def test_every_cli_command_is_documented():
    for name in subcommands(cli.parser()):
        assert f"python -m fullfunnel {name}" in README, f"command `{name}` is missing from the README"


def test_every_report_is_documented():
    for name in reports.load_all():
        assert f"report {name}" in README, f"report `{name}` is missing from the README"


def test_every_page_is_documented():
    tree = ast.parse((ROOT / "app.py").read_text())
    pages = next(n for n in tree.body if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "PAGES")
    for elt in pages.value.elts:
        file, url = elt.elts[0].value, elt.elts[1].value
        title = i18n.t(f"page.{url}", "en")
        if (ROOT / "pages" / file).exists():
            assert f"| {title} |" in README, f"page `{title}` is missing from the README's page table"
