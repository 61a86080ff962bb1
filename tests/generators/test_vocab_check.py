"""The vocabulary checker passes every type with vocabulary and catches a broken file."""

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from generators.engine import products, realiser, vocab_check, vocabulary
from tests.generators.ready import READY


def check_edited_saas(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: Callable[[dict[str, Any]], None]
) -> tuple[list[str], list[str]]:
    """The checker's errors and warnings for a copy of saas.json that ``edit`` changed."""
    shutil.copytree(vocabulary.VOCAB_DIR, tmp_path / "vocab")
    path = tmp_path / "vocab" / "products" / "saas.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    edit(raw)
    path.write_text(json.dumps(raw), encoding="utf-8")
    monkeypatch.setattr(vocab_check, "VOCAB_DIR", tmp_path / "vocab")
    monkeypatch.setattr(vocabulary, "VOCAB_DIR", tmp_path / "vocab")
    forget_worlds()
    try:
        return vocab_check.check("saas")
    finally:
        forget_worlds()


def forget_worlds() -> None:
    # Everything compiled from a world file, so no other test sees the edited copy's.
    products.load_world.cache_clear()
    realiser.world_groups.cache_clear()
    realiser._BASES.clear()


@pytest.mark.parametrize("product_type", READY)
def test_every_ready_world_file_passes_the_checker(product_type: str) -> None:
    errors, warnings = vocab_check.check(product_type)
    assert errors == [] and warnings == []


def test_the_checker_names_an_unknown_slot_and_a_written_out_agreement(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def edit(raw: dict[str, Any]) -> None:
        raw["aspects"]["usability"]["good"] += ["<is> clean <nonsense>", "{fits|fit} our team"]

    errors, warnings = check_edited_saas(tmp_path, monkeypatch, edit)
    assert any("unknown slot 'nonsense'" in error for error in errors)
    assert any("{fits|fit} our team" in warning for warning in warnings)


def test_the_checker_names_a_plural_name_left_singular_and_a_written_out_rating(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def edit(raw: dict[str, Any]) -> None:
        raw["aspects"]["usability"]["names"] += ["the panels", "pl:the tabs"]
        raw["aspects"]["usability"]["good"] += ["loads the tabs fast"]
        raw["groups"]["recommends"]["good"] += ["Five stars from me"]
        raw["groups"]["recommends"]["fine"] += ["Three stars"]

    _, warnings = check_edited_saas(tmp_path, monkeypatch, edit)
    assert any("'the panels' looks plural" in warning for warning in warnings), warnings
    assert any("'loads the tabs fast' writes out 'loads'" in warning for warning in warnings)
    assert any("'Five stars from me' names a rating" in warning for warning in warnings)
    assert not any("Three stars" in warning for warning in warnings)


def test_the_common_verdicts_and_recommendations_never_write_a_rating_out() -> None:
    common = vocabulary.read("feedback.json")
    assert list(vocab_check.stars(common["verdicts"], "verdicts")) == []
    assert list(vocab_check.stars(common["recommends"], "recommends")) == []
