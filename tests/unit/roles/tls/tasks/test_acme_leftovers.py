# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/tls/tasks/acme_leftovers.yml for real (ansible-playbook on this machine): the HTTP-01 responses an
order killed before its clean-up left are removed by the next order, from the list the killed one wrote;
nothing the list names outside the entry's challenge directory is touched."""

from __future__ import annotations

from pathlib import Path
from typing import List

from ansible_collections.webedge.https.tests.unit.helpers.playbooks import COLLECTIONS_ROOT, local_play

ROLE = COLLECTIONS_ROOT / "ansible_collections" / "webedge" / "https" / "roles" / "tls"


def run_leftovers(tmp_path: Path, check: bool = False) -> str:
    entry = {
        "name": "site",
        "challenge_root": str(tmp_path / "acme"),
        "key_path": str(tmp_path / "private" / "site.key"),
    }
    tasks = [
        {"ansible.builtin.include_vars": str(ROLE / "vars" / "main.yml")},
        {"ansible.builtin.set_fact": {"__tls_state_dir": str(tmp_path / "state")}},
        {"ansible.builtin.include_tasks": str(ROLE / "tasks" / "acme_leftovers.yml")},
    ]
    return local_play(tmp_path, {"__tls_entry": entry}, tasks, *(["--check"] if check else []))


def plant(tmp_path: Path, lines: List[str]) -> Path:
    state = tmp_path / "state"
    state.mkdir()
    ledger = state / "acme-challenges.site"
    ledger.write_text("".join(f"{line}\n" for line in lines))
    return ledger


def test_responses_of_a_killed_order_are_removed_with_their_list(tmp_path: Path) -> None:
    challenges = tmp_path / "acme" / ".well-known" / "acme-challenge"
    challenges.mkdir(parents=True)
    left = [challenges / "tok-A_1", challenges / "tokB2"]
    other = challenges / "certbot-token"  # not in the list: another client's, or a live order's
    for path in [*left, other]:
        path.write_text("key authorization")
    ledger = plant(tmp_path, [str(p) for p in left])

    run_leftovers(tmp_path)

    assert [p.exists() for p in left] == [False, False]
    assert other.exists()
    assert not ledger.exists()


def test_only_tokens_inside_the_challenge_directory_are_removed(tmp_path: Path) -> None:
    challenges = tmp_path / "acme" / ".well-known" / "acme-challenge"
    challenges.mkdir(parents=True)
    outside = tmp_path / "keep.conf"
    nested = challenges / "sub"
    nested.mkdir()
    (nested / "x").write_text("x")
    outside.write_text("x")
    ledger = plant(
        tmp_path,
        [
            str(outside),
            f"{challenges}/../../../keep.conf",
            f"{challenges}/sub",
            f"{challenges}/tok; rm -rf /",
            "",
        ],
    )

    run_leftovers(tmp_path)

    assert outside.exists() and nested.is_dir() and (nested / "x").exists()
    assert not ledger.exists()


def test_nothing_left_nothing_done_and_check_mode_changes_nothing(tmp_path: Path) -> None:
    run_leftovers(tmp_path)  # no list: nothing to read, nothing removed
    token = tmp_path / "acme" / ".well-known" / "acme-challenge" / "tok"
    token.parent.mkdir(parents=True)
    token.write_text("x")
    ledger = plant(tmp_path, [str(token)])
    run_leftovers(tmp_path, check=True)
    assert token.exists() and ledger.exists()


def test_a_list_without_any_token_removes_no_response(tmp_path: Path) -> None:
    """find with no pattern matches every file: a list naming nothing valid must not widen to the directory."""
    challenges = tmp_path / "acme" / ".well-known" / "acme-challenge"
    challenges.mkdir(parents=True)
    unlisted = challenges / "another-clients-token"
    unlisted.write_text("x")
    ledger = plant(tmp_path, [str(tmp_path / "elsewhere"), f"{challenges}/a b"])

    run_leftovers(tmp_path)

    assert unlisted.exists()
    assert not ledger.exists()
