"""``tasks.py merge-decision BASE..HEAD --as LOGIN`` on real temporary git repositories:
each reason printed, exit 0 only for a trusted member's change to their own files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, git


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The acts fixture (ana is the seed; ana vouches ben, ben vouches cara; nobody vouches dev), committed."""
    top = tmp_path / "network"
    shutil.copytree(FIXTURES / "acts", top)
    git(top, "init", "-q")
    git(top, "add", "-A")
    git(top, "commit", "-qm", "base")
    git(top, "tag", "base")
    return top


def change(repo: Path, files: dict[str, str | None]) -> None:
    for relative, text in files.items():
        path = repo / "content" / relative
        if text is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "change")


def decide(repo: Path, login: str) -> tuple[int, str]:
    from tasks import cli

    result = CliRunner().invoke(
        cli, ["--content", str(repo / "content"), "merge-decision", "base..HEAD", "--as", login]
    )
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.output


DIARY = "---\ntitle: Night bus\ntags: [Transit]\n---\n\nThe 2 runs late.\n"


def test_a_trusted_members_own_diary_merges(repo: Path) -> None:
    change(repo, {"diaries/ben/2026-11-22-night-bus.md": DIARY})
    code, output = decide(repo, "ben-gh")
    assert code == 0, output
    assert "yes  ownership: every changed file (1) is ben-gh's own" in output
    assert "yes  member: ben-gh is ben, a member before this change" in output
    assert "yes  check: passes" in output
    assert "yes  trust: ben is trusted" in output
    assert output.rstrip().endswith("may merge by itself.")


def test_an_act_file_in_the_members_own_folder_merges(repo: Path) -> None:
    change(repo, {"acts/cara/2026-11-22-support-bus-fares.yaml": "act: support\naction: bus-fares\n"})
    code, output = decide(repo, "cara-gh")
    assert code == 0, output


def test_another_members_diary_waits(repo: Path) -> None:
    change(repo, {"diaries/cara/2026-11-15-tenant-minutes.md": DIARY})
    code, output = decide(repo, "ben-gh")
    assert code == 1
    assert "no   ownership:" in output and "ben-gh may not change cara's diaries" in output
    assert "WAIT: a maintainer reviews" in output


def test_an_act_in_another_members_folder_waits(repo: Path) -> None:
    change(repo, {"acts/cara/2026-11-22-vouch-dev.yaml": "act: vouch\nmember: dev\n"})
    code, output = decide(repo, "ben-gh")
    assert code == 1 and "may not change cara's acts" in output


def test_a_new_member_waits_for_a_maintainer(repo: Path) -> None:
    member = "name: Zoe Adler\nlocale: {country: US, state: OH}\ngithub: zoe-gh\njoined: 2026-11-22\n"
    change(repo, {"members/zoe.yaml": member})
    code, output = decide(repo, "zoe-gh")
    assert code == 1
    assert "no   new member: no member file says `github: zoe-gh` before this change" in output
    assert "yes  check: passes" in output


def test_an_untrusted_member_waits(repo: Path) -> None:
    change(repo, {"diaries/dev/2026-11-22-night-bus.md": DIARY})
    code, output = decide(repo, "dev-gh")
    assert code == 1
    assert "yes  ownership:" in output
    assert "no   trust: dev is not trusted yet" in output


def test_a_broken_file_waits(repo: Path) -> None:
    change(repo, {"diaries/ben/2026-11-22-night-bus.md": "---\ntitle: [unclosed\n---\n\nBody\n"})
    code, output = decide(repo, "ben-gh")
    assert code == 1
    assert "no   check: 1 error(s): content/diaries/ben/2026-11-22-night-bus.md:" in output


def test_a_change_to_shared_content_waits(repo: Path) -> None:
    path = repo / "content/actions/bus-fares.md"
    change(repo, {"actions/bus-fares.md": path.read_text(encoding="utf-8").replace("twice", "three times")})
    code, output = decide(repo, "ben-gh")
    assert code == 1
    assert "needs a maintainer: content/actions/bus-fares.md is shared content" in output


def test_trust_off_lets_every_member_merge_their_own_files(repo: Path) -> None:
    (repo / "content/trust.yaml").unlink()
    git(repo, "commit", "-qam", "no seeds")
    git(repo, "tag", "-f", "base")
    change(repo, {"diaries/dev/2026-11-22-night-bus.md": DIARY})
    code, output = decide(repo, "dev-gh")
    assert code == 0, output
    assert "yes  trust: the web of trust is off" in output


def test_a_bad_range_is_a_reason_not_a_traceback(repo: Path) -> None:
    from tasks import cli

    result = CliRunner().invoke(
        cli, ["--content", str(repo / "content"), "merge-decision", "nope..HEAD", "--as", "ben-gh"]
    )
    assert result.exit_code == 1
    assert "no   ownership:" in result.output and "Traceback" not in result.output


def test_the_workflow_is_safe_by_construction_and_off_until_switched_on() -> None:
    import re

    import yaml
    from conftest import ROOT

    text = (ROOT / ".github/workflows/automerge.yml").read_text(encoding="utf-8")
    flow = yaml.safe_load(text)
    on = flow.pop(True, flow.get("on"))
    assert list(on) == ["pull_request_target"]
    assert flow["permissions"] == {}
    decide_job, merge_job = flow["jobs"]["decide"], flow["jobs"]["merge"]
    assert decide_job["permissions"] == {"contents": "read"}
    checkout = decide_job["steps"][0]
    assert checkout["uses"].startswith("actions/checkout@")
    assert checkout["with"]["ref"] == "${{ github.event.pull_request.base.sha }}"  # main's code, not the PR's
    assert checkout["with"]["persist-credentials"] is False
    runs = "\n".join(step.get("run", "") for step in decide_job["steps"])
    assert 'checkout "$HEAD_SHA" -- content' in runs and "core.symlinks=false" in runs  # only content/, as data
    assert 'tasks.py merge-decision "$BASE_SHA...$HEAD_SHA" --as "$AUTHOR"' in runs
    # the job that can write runs nothing from the repository: no checkout, no python
    assert all("uses" not in step for step in merge_job["steps"])
    merge_runs = "\n".join(step["run"] for step in merge_job["steps"])
    assert "python" not in merge_runs and "--match-head-commit" in merge_runs
    assert "vars.NETROOTS_AUTOMERGE == 'true'" in merge_job["if"]  # off until a maintainer turns it on
    # nothing a pull request's author controls is pasted into a script: values go through env
    for job in flow["jobs"].values():
        for step in job["steps"]:
            assert not re.search(r"\$\{\{", step.get("run", "")), step
