# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""roles/tls/tasks/acme_leftovers.yml for real (ansible-playbook on this machine): the first copy of a new key that a
run killed between making the key and installing it left (`.NAME.key.new` beside the key) is removed by the next run,
also one with nothing due (found by the acme scenario's kill chain: a plain run left that private key for good). The
installed key and any other file of the key directory stay; check mode removes nothing."""

from __future__ import annotations

from pathlib import Path

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


def key_directory(tmp_path: Path) -> Path:
    private = tmp_path / "private"
    private.mkdir()
    for name in ("site.key", ".site.key.new", "other.key", ".other.key.new"):
        (private / name).write_text(f"{name}\n")
        (private / name).chmod(0o600)
    return private


def test_a_key_copy_left_without_any_list_is_removed(tmp_path: Path) -> None:
    """Killed after making the key (before the order listed its responses): no list, the copy only."""
    private = key_directory(tmp_path)

    run_leftovers(tmp_path)

    assert sorted(p.name for p in private.iterdir()) == [".other.key.new", "other.key", "site.key"]
    assert (private / "site.key").read_text() == "site.key\n"


def test_a_key_copy_left_with_responses_and_their_list_is_removed_with_them(tmp_path: Path) -> None:
    private = key_directory(tmp_path)
    challenges = tmp_path / "acme" / ".well-known" / "acme-challenge"
    challenges.mkdir(parents=True)
    token = challenges / "tok-1"
    token.write_text("x")
    state = tmp_path / "state"
    state.mkdir()
    ledger = state / "acme-challenges.site"
    ledger.write_text(f"{token}\n")

    run_leftovers(tmp_path)

    assert not (private / ".site.key.new").exists()
    assert not token.exists() and not ledger.exists()
    assert (private / "site.key").exists()


def test_check_mode_removes_no_key_copy(tmp_path: Path) -> None:
    private = key_directory(tmp_path)
    run_leftovers(tmp_path, check=True)
    assert (private / ".site.key.new").exists()


def test_nothing_left_nothing_changed(tmp_path: Path) -> None:
    (tmp_path / "private").mkdir()
    (tmp_path / "private" / "site.key").write_text("k\n")
    out = run_leftovers(tmp_path)
    assert (tmp_path / "private" / "site.key").exists()
    assert '"changed": true' not in out
    assert '"changed": false' in out
