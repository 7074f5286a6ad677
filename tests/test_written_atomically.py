"""supplycast.commands.common.written_atomically: the file commands' outputs appear whole
or not at all."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from supplycast.commands.common import written_atomically


def test_the_file_appears_under_its_name_only_when_the_block_succeeds(tmp_path: Path) -> None:
    out = tmp_path / "new" / "F.csv"  # the directory is created
    with written_atomically(out) as temporary:
        assert temporary.parent == out.parent and temporary.name.endswith("-F.csv")
        temporary.write_text("a,b\n1,2\n")
        assert not out.exists()  # nothing under the real name while writing
    assert out.read_text() == "a,b\n1,2\n"
    assert sorted(p.name for p in out.parent.iterdir()) == ["F.csv"]  # no temporary left


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    out = tmp_path / "F.csv"
    out.write_text("old\n")
    with pytest.raises(RuntimeError, match="killed half way"):
        with written_atomically(out) as temporary:
            temporary.write_text("half a fi")
            raise RuntimeError("killed half way")
    assert out.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["F.csv"]


def test_compression_is_still_inferred_from_the_name(tmp_path: Path) -> None:
    out = tmp_path / "F.csv.gz"
    with written_atomically(out) as temporary:
        pd.DataFrame({"a": [1, 2]}).to_csv(temporary, index=False)
    assert out.read_bytes()[:2] == b"\x1f\x8b"  # gzip magic
    assert pd.read_csv(out)["a"].tolist() == [1, 2]
