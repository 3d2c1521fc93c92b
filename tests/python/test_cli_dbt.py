"""`segmentation dbt ARGS`: dbt on this project with its environment, as the Makefile calls it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from segmentation import cli


def test_arguments_pass_through_untouched_and_the_exit_code_comes_back(monkeypatch):
    # given a dbt that records its arguments and fails
    calls = []

    def fake_dbt(args, **kwargs):
        calls.append(list(args))
        return subprocess.CompletedProcess(args, 3)

    monkeypatch.setattr(cli, "run_dbt_process", fake_dbt)
    # when the CLI is asked to run dbt with options of dbt's own
    code = cli.main(["dbt", "build", "--vars", "{a: 1}", "--help"])
    # then dbt receives them as given and its exit code is the CLI's
    assert calls == [["build", "--vars", "{a: 1}", "--help"]]
    assert code == 3


@pytest.mark.slow
def test_dbt_finds_the_project_and_profile_from_any_folder(tmp_path):
    # given a working folder outside the project and an environment without dbt settings
    args = ["dbt", "ls", "--select", "stg_online_retail__invoice_lines", "--quiet"]
    args += ["--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path / "logs")]
    # when dbt runs through the CLI
    completed = subprocess.run(
        [sys.executable, "-m", "segmentation.cli", *args],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    # then it lists the model: the project and its profile were found
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "stg_online_retail__invoice_lines" in completed.stdout
