# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run the compliance playbook the way AWX/AAP and CI run it, against a lab host, and check the runs.

Usage: awx_runs.py --address IP --ssh-key KEY --ca-file CA --ee-image IMAGE --work DIR

DIR/project is a user's project as AWX syncs it: an INI inventory and a dynamic inventory script
naming the host, group_vars with the audit's settings, playbooks/audit.yml importing
webedge.https.compliance, an ansible.cfg; the collection is the tarball built from this checkout
(.build/ee/context-files, by build-ee.sh), installed into DIR/collections as AWX installs a
project's collections. Runs (each one a check, with its time):
- runner-passing: ansible-runner (AWX's engine), the host right for profile intermediate: status
  successful, rc 0, the artifacts AWX reads (rc, status, stdout, job_events), the events of a
  playbook run (start, both plays, the report task ok with no threshold exceeded, stats), and
  reports with no failing result;
- runner-failing: the same host audited against profile modern: status failed, rc 2, the report
  task's runner_on_failed event naming the failing controls, stats counting the failure;
- runner-dynamic: the dynamic inventory script: SARIF locates the host at the script;
- navigator: ansible-navigator runs the playbook inside the execution environment image on the
  lab network, against profile modern with fail_on none: rc 0, its playbook artifact records the
  report task, reports whose results sit at the inventory line of the host;
- reports-*: every report folder through validate_reports.py (SARIF multitool with the GitHub
  rules and code scanning's placement rules, the JUnit schema), results located at the line of
  the inventory that names the host.
Prints one line per check and "N passed, N failed"; exits 1 when any check fails.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import stat
import subprocess
import sys
import time
from typing import Any, Callable, Dict, List

import ansible_runner

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
ECO_BIN = os.path.join(ROOT, ".build", "venv-eco", "bin")
MULTITOOL = os.path.join(
    ROOT, ".build", "npm", "node_modules", "@microsoft", "sarif-multitool-linux", "Sarif.Multitool"
)
HOST = "eco-web"
REPORT_TASK = "Write the reports"


class CheckFailed(AssertionError):
    """A check's expectation did not hold; the message says what was found instead."""


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def write(path: str, text: str, mode: int = 0o644) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, mode)


def make_project(work: str, address: str, ssh_key: str, ca_file: str) -> str:
    """The user's project: what AWX checks out of the user's repository."""
    project = os.path.join(work, "project")
    for stale in (project, os.path.join(work, "runner")):  # AWX starts each job from a fresh directory
        shutil.rmtree(stale, ignore_errors=True)
    write(
        os.path.join(project, "inventory", "hosts.ini"),
        f"# The HTTPS fleet (webedge.https audit)\n[web_servers]\n{HOST} ansible_host={address}\n",
    )
    inventory = json.dumps({"web_servers": {"hosts": [HOST]}, "_meta": {"hostvars": {HOST: {"ansible_host": address}}}})
    write(
        os.path.join(project, "inventory", "dynamic.py"),
        "#!/usr/bin/env python3\n"
        "# A dynamic inventory (as a cloud inventory plugin would give): the host is named in no file.\n"
        "import json\n"
        "true, false, null = True, False, None\n"
        f"print(json.dumps({inventory}))\n",
        mode=0o755,
    )
    shutil.copy(ca_file, os.path.join(project, "lab-ca.crt"))
    os.makedirs(os.path.join(project, "credentials"), exist_ok=True)
    key = os.path.join(project, "credentials", "id_ed25519")
    shutil.copy(ssh_key, key)
    # The execution environment runs as a user of its own: the key must be readable there (a
    # throw-away lab key; AWX injects its machine credential the same way, as a file).
    os.chmod(key, stat.S_IRUSR | stat.S_IWUSR)
    write(
        os.path.join(project, "inventory", "group_vars", "web_servers.yml"),
        "---\n"
        "ansible_user: root\n"
        'compliance_address: "{{ ansible_host }}"\n'
        "compliance_server_names: [www.eco.test]\n"
        'compliance_ca_file: "{{ inventory_dir }}/../lab-ca.crt"\n',
    )
    write(
        os.path.join(project, "playbooks", "audit.yml"),
        "---\n# The job template's playbook: the collection's audit.\n"
        "- name: HTTPS compliance audit\n  ansible.builtin.import_playbook: webedge.https.compliance\n",
    )
    write(
        os.path.join(project, "ansible.cfg"),
        "[defaults]\nhost_key_checking = False\ninterpreter_python = auto_silent\n"
        "private_key_file = credentials/id_ed25519\n",
    )
    return project


def install_collection(work: str) -> str:
    """The collection and its dependencies, installed as AWX installs a project's requirements: the
    requirements build-ee.sh wrote for the execution environment (the tarball built from this
    checkout, each dependency of galaxy.yml copied from the `ansible` package; Galaxy is
    unreachable here), with their paths made absolute."""
    ee_dir = os.path.join(ROOT, ".build", "ee")
    source = os.path.join(ee_dir, "context-files", "requirements.yml")
    expect(os.path.isfile(source), f"no {source} (tests/ecosystem/build-ee.sh)")
    with open(source, encoding="utf-8") as handle:
        entries = json.load(handle)["collections"]
    requirements = os.path.join(work, "requirements.yml")
    absolute = [dict(entry, name=os.path.join(ee_dir, entry["name"])) for entry in entries]
    write(requirements, json.dumps({"collections": absolute}))
    collections = os.path.join(work, "collections")
    shutil.rmtree(collections, ignore_errors=True)
    galaxy = os.path.join(ECO_BIN, "ansible-galaxy")
    subprocess.run(
        [galaxy, "collection", "install", "--force", "-r", requirements, "-p", collections],
        check=True,
        capture_output=True,
    )
    return collections


def events(artifact_dir: str) -> List[Dict[str, Any]]:
    found = []
    for path in glob.glob(os.path.join(artifact_dir, "job_events", "*.json")):
        with open(path, encoding="utf-8") as handle:
            found.append(json.load(handle))
    return sorted(found, key=lambda e: e.get("counter", 0))


def run_with_runner(project: str, collections: str, ident: str, inventory: str, extravars: Dict[str, Any]) -> Any:
    private = os.path.join(os.path.dirname(project), "runner")
    os.makedirs(private, exist_ok=True)
    return ansible_runner.run(
        private_data_dir=private,
        project_dir=project,
        playbook="playbooks/audit.yml",
        inventory=os.path.join(project, "inventory", inventory),
        ident=ident,
        extravars=dict(extravars, compliance_report_dest=f"{project}/reports-{ident}"),
        envvars={
            "ANSIBLE_COLLECTIONS_PATH": collections,
            "ANSIBLE_CONFIG": os.path.join(project, "ansible.cfg"),
            "ANSIBLE_PRIVATE_KEY_FILE": os.path.join(project, "credentials", "id_ed25519"),
            "PATH": ECO_BIN + os.pathsep + os.environ.get("PATH", ""),
        },
        quiet=True,
    )


def report_task_event(evs: List[Dict[str, Any]], event: str) -> Dict[str, Any]:
    matches = [e for e in evs if e.get("event") == event and e.get("event_data", {}).get("task") == REPORT_TASK]
    names = sorted({e.get("event") for e in evs})
    expect(len(matches) == 1, f"expected one {event} event of '{REPORT_TASK}', found {len(matches)}; events: {names}")
    return matches[0]


def check_artifacts(run: Any, status: str, rc: int) -> List[Dict[str, Any]]:
    expect(run.status == status and run.rc == rc, f"runner status {run.status} rc {run.rc}, expected {status} {rc}")
    artifact_dir = run.config.artifact_dir
    for name in ("rc", "status", "stdout", "command"):
        expect(os.path.isfile(os.path.join(artifact_dir, name)), f"artifact {name} missing in {artifact_dir}")
    with open(os.path.join(artifact_dir, "status"), encoding="utf-8") as handle:
        expect(handle.read().strip() == status, "status artifact disagrees")
    evs = events(artifact_dir)
    kinds = [e.get("event") for e in evs]
    expect(
        kinds[:1] == ["playbook_on_start"] and kinds[-1:] == ["playbook_on_stats"], f"events {kinds[:3]}..{kinds[-2:]}"
    )
    plays = [e["event_data"]["play"] for e in evs if e.get("event") == "playbook_on_play_start"]
    expect(len(plays) == 2, f"plays started: {plays}")
    counters = [e["counter"] for e in evs]
    expect(counters == sorted(set(counters)), "event counters are not unique and increasing")
    expect(all(e.get("uuid") and e.get("runner_ident") for e in evs), "events without uuid or runner_ident")
    return evs


def runner_passing(ctx: Dict[str, Any]) -> None:
    extravars = {"compliance_report_fail_on": "low"}
    run = run_with_runner(ctx["project"], ctx["collections"], "passing", "hosts.ini", extravars)
    evs = check_artifacts(run, "successful", 0)
    res = report_task_event(evs, "runner_on_ok")["event_data"]["res"]
    expect(res["summary"]["threshold_exceeded"] is False and res["summary"]["hosts"] == 1, f"summary {res['summary']}")
    expect(res["summary"]["counts"]["fail"] + res["summary"]["counts"]["error"] == 0, f"counts {res['summary']}")
    stats = evs[-1]["event_data"]
    expect(not stats.get("failures") and HOST in stats.get("ok", {}), f"stats {stats}")
    expect(not stats.get("changed", {}).get(HOST), f"the audit changed {HOST}: {stats.get('changed')}")


def runner_failing(ctx: Dict[str, Any]) -> None:
    extravars = {"compliance_profile": "modern", "compliance_report_fail_on": "high"}
    run = run_with_runner(ctx["project"], ctx["collections"], "failing", "hosts.ini", extravars)
    evs = check_artifacts(run, "failed", 2)
    res = report_task_event(evs, "runner_on_failed")["event_data"]["res"]
    expect("compliance failed at or above 'high'" in res.get("msg", ""), f"msg {res.get('msg')}")
    expect(res["summary"]["threshold_exceeded"] is True, f"summary {res['summary']}")
    expect(evs[-1]["event_data"].get("failures", {}).get("localhost") == 1, f"stats {evs[-1]['event_data']}")


def runner_dynamic(ctx: Dict[str, Any]) -> None:
    extravars = {"compliance_profile": "modern", "compliance_report_fail_on": "none"}
    run = run_with_runner(ctx["project"], ctx["collections"], "dynamic", "dynamic.py", extravars)
    check_artifacts(run, "successful", 0)


def navigator(ctx: Dict[str, Any]) -> None:
    project = ctx["project"]
    argv = [
        os.path.join(ECO_BIN, "ansible-navigator"),
        "run",
        "playbooks/audit.yml",
        "-i",
        "inventory/hosts.ini",
        "--mode",
        "stdout",
        "--execution-environment",
        "true",
        "--execution-environment-image",
        ctx["ee_image"],
        "--pull-policy",
        "never",
        "--container-engine",
        "podman",
        # The lab network, and root inside the container (the project's files are root's here).
        "--container-options=--network=webedge-lab",
        "--container-options=--user=0",
        "--playbook-artifact-enable",
        "true",
        "--playbook-artifact-save-as",
        f"{project}/navigator-artifact.json",
        "--log-file",
        f"{project}/navigator.log",
        "-e",
        f"compliance_report_dest={project}/reports-navigator",
        # Profile modern fails this host (it serves intermediate): results to place, and fail_on none
        # keeps the run green so the playbook artifact and the exit code can be checked.
        "-e",
        "compliance_profile=modern",
        "-e",
        "compliance_report_fail_on=none",
    ]
    env = dict(os.environ, PATH=ECO_BIN + os.pathsep + os.environ.get("PATH", ""), ANSIBLE_NOCOLOR="1")
    env.pop("ANSIBLE_COLLECTIONS_PATH", None)  # the EE's own copy of the collection, nothing from here
    run = subprocess.run(argv, cwd=project, env=env, capture_output=True, text=True, check=False, timeout=900)
    expect(run.returncode == 0, f"ansible-navigator exited {run.returncode}: {(run.stdout + run.stderr)[-3000:]}")
    with open(f"{project}/navigator-artifact.json", encoding="utf-8") as handle:
        artifact = json.load(handle)
    tasks = [t for play in artifact.get("plays", []) for t in play.get("tasks", [])]
    report = [t for t in tasks if t.get("task") == REPORT_TASK]
    expect(len(report) == 1 and report[0].get("res", {}).get("summary", {}).get("hosts") == 1, "no report task result")
    expect("PLAY RECAP" in run.stdout and f"{HOST}" in run.stdout, "no play recap for the host in navigator's output")


def validate(ctx: Dict[str, Any], name: str, *options: str) -> None:
    argv = [
        os.path.join(ECO_BIN, "python"),
        os.path.join(HERE, "validate_reports.py"),
        "--multitool",
        MULTITOOL,
        "--xsd",
        os.path.join(HERE, "schemas", "junit-10.xsd"),
        "--source-root",
        ctx["project"],
        *options,
        os.path.join(ctx["project"], f"reports-{name}"),
    ]
    run = subprocess.run(argv, capture_output=True, text=True, check=False)
    expect(run.returncode == 0, run.stdout + run.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--address", required=True)
    parser.add_argument("--ssh-key", required=True)
    parser.add_argument("--ca-file", required=True)
    parser.add_argument("--ee-image", required=True)
    parser.add_argument("--work", required=True)
    args = parser.parse_args()
    # An AWX job's environment, not the molecule lab's: the lab's podman connection plugin
    # (extensions/molecule/shared) needs a collection an execution environment does not have, and its
    # load warning would be a job event of its own.
    os.environ.pop("ANSIBLE_CONNECTION_PLUGINS", None)
    os.makedirs(args.work, exist_ok=True)
    ctx: Dict[str, Any] = {
        "project": make_project(args.work, args.address, args.ssh_key, args.ca_file),
        "collections": install_collection(args.work),
        "ee_image": args.ee_image,
    }
    checks: List[tuple] = [
        ("runner-passing", runner_passing),
        ("reports-passing", lambda c: validate(c, "passing", "--results", "none", "--kind", "inventory")),
        ("runner-failing", runner_failing),
        ("reports-failing", lambda c: validate(c, "failing", "--results", "some", "--kind", "inventory")),
        ("runner-dynamic", runner_dynamic),
        ("reports-dynamic", lambda c: validate(c, "dynamic", "--results", "some", "--kind", "inventory_source")),
        ("navigator", navigator),
        ("reports-navigator", lambda c: validate(c, "navigator", "--results", "some", "--kind", "inventory")),
    ]
    passed = failed = 0
    for name, function in checks:
        start = time.monotonic()
        check: Callable[[Dict[str, Any]], None] = function
        try:
            check(ctx)
        except Exception as exc:  # pylint: disable=broad-exception-caught  # any error fails this check only
            failed += 1
            print(f"FAIL {name:18} {time.monotonic() - start:5.1f}s  {type(exc).__name__}: {exc}")
        else:
            passed += 1
            print(f"ok   {name:18} {time.monotonic() - start:5.1f}s")
    print(f"awx: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
