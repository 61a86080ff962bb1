"""The vocabulary checker passes every type with vocabulary and catches a broken file."""

import json
import shutil
from pathlib import Path

import pytest

from generators.engine import products, vocab_check, vocabulary
from tests.generators.ready import READY


@pytest.mark.parametrize("product_type", READY)
def test_every_ready_world_file_passes_the_checker(product_type: str) -> None:
    errors, warnings = vocab_check.check(product_type)
    assert errors == [] and warnings == []


def test_the_checker_names_an_unknown_slot_and_a_written_out_agreement(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(vocabulary.VOCAB_DIR, tmp_path / "vocab")
    path = tmp_path / "vocab" / "products" / "saas.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    raw["aspects"]["usability"]["good"] += ["<is> clean <nonsense>", "{fits|fit} our team"]
    path.write_text(json.dumps(raw), encoding="utf-8")
    monkeypatch.setattr(vocab_check, "VOCAB_DIR", tmp_path / "vocab")
    monkeypatch.setattr(vocabulary, "VOCAB_DIR", tmp_path / "vocab")
    products.load_world.cache_clear()
    try:
        errors, warnings = vocab_check.check("saas")
    finally:
        products.load_world.cache_clear()
    assert any("unknown slot 'nonsense'" in error for error in errors)
    assert any("{fits|fit} our team" in warning for warning in warnings)
