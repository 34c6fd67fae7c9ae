"""examples/rotation.ipynb runs top to bottom: each code cell executed in order."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

NOTEBOOK = Path(__file__).resolve().parents[2] / "examples" / "rotation.ipynb"


def test_rotation_notebook_runs_and_proves_the_cut_over(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(NOTEBOOK.parent)
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    namespace: dict[str, Any] = {}
    for cell in cells:
        if cell["cell_type"] == "code":
            code = compile("".join(cell["source"]), f"{NOTEBOOK.name}:{cell['id']}", "exec")
            exec(code, namespace)  # noqa: S102 - running the notebook is the point
    assert namespace["saved"] == 1
    assert namespace["old_token"].accepted
    assert not namespace["old_after"].accepted
    failed = [c.name for c in namespace["old_after"].explanation.checks if c.failed]
    assert failed == ["signature"]
    assert namespace["new_token"].accepted
    (line,) = namespace["audit_lines"]
    entry = json.loads(line)
    assert entry["new_fingerprint"] == namespace["rotation"].entry.fingerprint
    workdir: Path = namespace["workdir"]
    secret_file = workdir / namespace["rotation"].entry.location
    assert oct(os.stat(secret_file).st_mode & 0o777) == "0o600"
    # The notebook's rich outputs escape what they show.
    assert "<table>" in namespace["console"].applications._repr_html_()
