"""Each sync source declares its options once (sync/sources/<kind>.py OPTIONS and HELP): the
`sync KIND` and `feeds add KIND` commands and the API's feed options are made from that."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from paperlens.schemas import feeds as feed_schemas
from paperlens.cli import sync as commands
from paperlens.sync.sources import SOURCES, Option, checked_options
from paperlens.sync.sources.contract import COUNT, DAY


@pytest.mark.parametrize("kind", list(SOURCES))
def test_the_commands_take_exactly_the_declared_options(kind):
    declared = [option.name for option in SOURCES[kind].OPTIONS]
    for group, args in ((commands.sync, [kind]), (commands.feeds_group, ["add", kind])):
        shown = CliRunner().invoke(group, [*args, "--help"], terminal_width=200).output
        assert SOURCES[kind].HELP in shown
        assert [name for name in declared if f"--{name} " in shown] == declared
        command = group.commands[kind] if group is commands.sync else group.commands["add"].commands[kind]
        taken = [p.name for p in command.params if p.name != "every"]
        assert taken == declared


def test_the_api_takes_every_declared_option_once():
    names = list(feed_schemas.FeedOptionsSchema().fields)
    assert names == list(dict.fromkeys(o.name for source in SOURCES.values() for o in source.OPTIONS))


@pytest.mark.parametrize("kind", list(SOURCES))
def test_a_source_refuses_an_option_it_does_not_declare(kind):
    with pytest.raises(ValueError, match="not undeclared"):
        checked_options(kind, {"undeclared": "x"})


def test_a_new_sources_options_reach_the_api_schema(monkeypatch):
    fake = SimpleNamespace(KIND="fake", HELP="A fake.", OPTIONS=(
        Option("since", "Its own words for since.", kind=DAY),
        Option("pages", "How many pages.", kind=COUNT, low=1, high=9, api_help="pages to read")))
    monkeypatch.setitem(SOURCES, "fake", fake)
    made = feed_schemas._feed_options()
    assert made["pages"].metadata == {"description": "fake: pages to read"}
    assert made["since"].metadata == {"description": "YYYY-MM-DD"}  # shared with arxiv and hf-daily


def test_sources_sharing_an_option_must_declare_it_alike(monkeypatch):
    fake = SimpleNamespace(KIND="fake", HELP="A fake.", OPTIONS=(Option("since", kind=COUNT, low=1, high=2),))
    monkeypatch.setitem(SOURCES, "fake", fake)
    with pytest.raises(TypeError, match="since"):
        feed_schemas._feed_options()
