# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The iis role's reboot path on the simulated host: SCHANNEL changes, the handler reboots, once.

With ``iis_reboot: true`` the SCHANNEL and HTTP.sys writes notify the handler, which runs
``ansible.windows.win_reboot``: ansible.windows' own action plugin (its real option check, ``_VALID_ARGS``
and value checks, then ``plugin_utils/_reboot.py``) drives the simulated host over the winsim connection:
the boot time, ``shutdown.exe /r`` in its JSON-answering script, the boot time again (a later one)
and the LogonUI test command (``tests/unit/helpers/winsim.py`` answers each exactly as the role's call makes
it). Check mode reboots nothing (on a fresh host the role's check mode stops after installing IIS); the
real run reboots once with the role's message; the second run changes nothing and does not reboot.
"""

from __future__ import annotations

from ansible_collections.webedge.https.tests.unit.helpers.playbooks import task_results
from ansible_collections.webedge.https.tests.windows.test_site_windows import (
    changed,
    failures,
    inventory,
    play,
    state_of,
    write_host,
)

HANDLER = "webedge.https.iis : Reboot for SCHANNEL and HTTP.sys settings"
MESSAGE = "Rebooting for SCHANNEL and HTTP.sys settings (webedge.https.iis)"


def handler_results(results):
    return [r for r in results if r["_task"] == HANDLER]


def test_the_schannel_change_reboots_the_host_once(tmp_path):
    state = write_host(tmp_path)
    hosts = inventory(tmp_path, state, iis_reboot=True, iis_reboot_timeout=300)
    boot = state_of(state)["boot_time"]

    check = play(tmp_path, "site.yml", hosts, "--check")
    results = task_results(check, "win1")
    assert check.returncode == 0, failures(results)
    assert handler_results(results) == []  # on a fresh host check mode stops after "Install IIS"
    assert state_of(state)["reboots"] == [] and state_of(state)["boot_time"] == boot

    first = play(tmp_path, "site.yml", hosts)
    results = task_results(first, "win1")
    assert first.returncode == 0, failures(results) or first.stdout[-3000:]
    (reboot,) = handler_results(results)
    assert reboot["changed"] is True and reboot["rebooted"] is True, reboot
    after = state_of(state)
    assert after["reboots"] == [{"delay": 2, "msg": MESSAGE}]  # win_reboot's default pre_reboot_delay
    assert after["boot_time"] > boot  # the boot time check saw the host come back
    (fact,) = [r for r in results if r["_task"].startswith("webedge.https.iis : Tell whether the host needs a reboot")]
    assert fact["ansible_facts"]["iis_reboot_required"] in (True, "True")

    second = play(tmp_path, "site.yml", hosts)
    results = task_results(second, "win1")
    assert second.returncode == 0, failures(results)
    assert changed(results) == [] and handler_results(results) == []
    assert state_of(state)["reboots"] == after["reboots"]
