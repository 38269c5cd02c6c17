#!/usr/bin/python
# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# This is an action-only module: the work happens in plugins/action/compliance_report.py on the
# controller; this file carries the documentation only.

from __future__ import annotations

DOCUMENTATION = r"""
---
module: compliance_report
short_description: Write fleet compliance reports (JSON, JUnit, SARIF, HTML, Markdown) and gate on severity
version_added: 0.1.0
description:
  - Collects the compliance results of every host of the play (the hostvar named by O(results_var), as
    stored by the C(webedge.https.compliance) role) and/or probe results given in O(endpoints), and writes
    them on the controller as JSON, JUnit XML, SARIF 2.1.0, a self-contained HTML page and Markdown.
  - Runs once for the whole play, on the controller (like C(run_once)); it never connects to a host.
  - Fails exactly when a control at or above O(fail_on) fails or could not be decided (status V(error)),
    or when a host of O(hosts) has no results; the message lists the failing controls and hosts. The
    reports are written before it fails, so a pipeline can publish them.
  - Control IDs (for example V(TLS-03), V(HOST-02)) are stable; they are the JUnit test case names, the
    SARIF rule IDs and the keys in the JSON report. See C(docs/controls.md).
  - Files are written atomically (temporary file in O(dest), then rename); a file whose content would not
    change is left alone.
  - "SARIF is written for GitHub code scanning, which places a result only at a file of the repository:
    each result is located at the file of O(source_root) that defines its host - the line of the inventory
    file (the host's C(inventory_file)) that names it, with the column span of the name; else the host's
    C(host_vars) file next to the inventory or the playbook; else the inventory source itself (a dynamic
    inventory script or plugin configuration, line 1); else O(source_fallback); else the path
    C(webedge-https/hosts/<host>), which no repository has and code scanning still accepts. The endpoint
    (C(host:port)) is the result's logical location. C(partialFingerprints) hash the control, host and
    target only, so an alert keeps its identity when the inventory changes. A run where nothing fails
    writes an empty result list, which closes earlier alerts when uploaded."
  - The JSON report records the same place per host under C(source).
author:
  - webedge.https contributors (@webedge)
options:
  dest:
    description:
      - Directory to write the reports into, on the controller. Created when missing.
      - A relative path is relative to the playbook directory.
      - "File names: C(compliance.json), C(compliance-junit.xml), C(compliance.sarif), C(compliance.html),
        C(compliance.md)."
    type: path
    required: true
  formats:
    description:
      - Formats to write.
    type: list
    elements: str
    choices: [json, junit, sarif, html, markdown]
    default: [json, junit, sarif, html, markdown]
  fail_on:
    description:
      - Lowest severity whose failure fails the task. V(none) never fails on findings (report only).
    type: str
    choices: [critical, high, medium, low, none]
    default: high
  hosts:
    description:
      - Inventory hosts whose results to report. Defaults to C(ansible_play_hosts_all), so hosts that
        failed or were unreachable are reported as having no results.
    type: list
    elements: str
  results_var:
    description:
      - Name of the host variable holding each host's results (a mapping with C(profile),
        C(profile_version), C(controls) and C(endpoints)).
    type: str
    default: webedge_https_compliance
  endpoints:
    description:
      - Probe results from C(webedge.https.tls_probe) (a result, a list of them, or a registered loop),
        for endpoint-only runs. They are reported under the probed host name.
      - Probe results without C(findings) are evaluated here against O(profile).
    type: raw
  endpoints_var:
    description:
      - Name of a variable of the host the task runs for (the controller's C(localhost) in an endpoint-only
        play) holding probe results in any shape O(endpoints) takes, such as a registered
        C(webedge.https.tls_probe) result. The plugin reads the variable as stored instead of getting it
        through a template, which with many endpoints saves templating every value of every result again.
      - Combined with O(endpoints) when both are given. A name that is not defined fails the task.
    type: str
  profile:
    description:
      - Mozilla TLS profile used to evaluate probe results that carry no findings.
    type: str
    choices: [modern, intermediate, old]
    default: intermediate
  profile_version:
    description:
      - Mozilla guideline version of O(profile).
    type: str
    choices: ['5.7', '6.0']
    default: '5.7'
  min_days_valid:
    description:
      - Certificates expiring in fewer days fail TLS-10 (with severity medium) when probe results are
        evaluated here.
    type: int
    default: 30
  source_root:
    description:
      - The checkout of the repository the SARIF file is uploaded for. SARIF locations are paths relative
        to it (against C(%SRCROOT%)), and only files under it are used as locations.
      - Defaults to the current working directory of C(ansible-playbook), which is the checkout in a
        GitHub Actions or GitLab CI job.
    type: path
  source_fallback:
    description:
      - A file under O(source_root) to locate the results of hosts that no file of the repository defines
        (endpoint-only runs, inventories kept elsewhere), at line 1.
      - Defaults to the CI configuration running the job when it is a file of the checkout - GitHub's
        workflow file (from C(GITHUB_WORKFLOW_REF)) or GitLab's C(CI_CONFIG_PATH).
    type: path
extends_documentation_fragment:
  - webedge.https.attributes
attributes:
  action:
    support: full
  async:
    support: none
  become:
    support: none
    details: Writes on the controller as the user running Ansible; never connects to a host.
  bypass_host_loop:
    support: full
  check_mode:
    support: full
    details: Reports are written in check mode too. They only describe the fleet and change nothing on
      managed hosts, and an audit run in check mode is where a pipeline needs them most.
  connection:
    support: none
  delegation:
    support: none
    details: Runs once on the controller for the whole play; C(delegate_to) changes nothing.
  diff_mode:
    support: none
  platform:
    support: full
    platforms: all
    details: Runs on the controller only.
  safe_file_operations:
    support: none
    details: Reports are written atomically (a temporary file in O(dest), then a rename), by the plugin itself
      rather than Ansible's file functions; files whose content would not change are left alone.
  vault:
    support: none
seealso:
  - module: webedge.https.tls_probe
notes:
  - Requires Jinja2 on the controller (always present with ansible-core) for the HTML report.
  - No private key material is ever part of the results, so none can reach a report.
"""

EXAMPLES = r"""
- name: Write every report and fail on high or critical findings
  webedge.https.compliance_report:
    dest: "{{ playbook_dir }}/reports"

- name: SARIF for code scanning of the repository checked out in CI_PROJECT_DIR
  webedge.https.compliance_report:
    dest: reports
    formats: [sarif, junit]
    source_root: "{{ lookup('ansible.builtin.env', 'CI_PROJECT_DIR') }}"

- name: Report only, for a nightly job summary
  webedge.https.compliance_report:
    dest: reports
    formats: [markdown, sarif]
    fail_on: none

- name: Endpoint-only mode from a probe loop
  block:
    - name: Probe the public names
      webedge.https.tls_probe:
        host: "{{ item }}"
      loop: [www.example.com, api.example.com]
      register: probes
      delegate_to: localhost
      run_once: true

    - name: Report the endpoints against the modern profile
      webedge.https.compliance_report:
        dest: reports
        hosts: []
        endpoints: "{{ probes }}"
        profile: modern
        fail_on: medium

- name: The same results read from the registered variable, without templating them again
  webedge.https.compliance_report:
    dest: reports
    hosts: []
    endpoints_var: probes
"""

RETURN = r"""
paths:
  description: Path of each written report, by format.
  returned: always
  type: dict
  sample:
    json: /srv/ci/reports/compliance.json
    junit: /srv/ci/reports/compliance-junit.xml
    sarif: /srv/ci/reports/compliance.sarif
    html: /srv/ci/reports/compliance.html
    markdown: /srv/ci/reports/compliance.md
summary:
  description: Counts for the fleet (the C(summary) of the JSON report).
  returned: always
  type: dict
  contains:
    hosts:
      description: Hosts reported.
      type: int
    hosts_failing:
      description: Hosts with a failing or undecided control.
      type: int
    endpoints:
      description: Endpoints reported.
      type: int
    results:
      description: Control results reported (one per control and target).
      type: int
    counts:
      description: Results by status (C(pass), C(fail), C(error), C(skip)).
      type: dict
    failing_by_severity:
      description: Failing or undecided results by severity.
      type: dict
    worst_failure:
      description: Highest severity that fails, or null.
      type: str
    failing_controls:
      description: IDs of controls failing anywhere, at any severity.
      type: list
      elements: str
    threshold_exceeded:
      description: Whether a result at or above O(fail_on) fails.
      type: bool
    threshold_failures:
      description: IDs of the controls failing at or above O(fail_on).
      type: list
      elements: str
  sample:
    hosts: 3
    hosts_failing: 1
    endpoints: 3
    results: 66
    counts: {pass: 60, fail: 2, error: 0, skip: 4}
    failing_by_severity: {critical: 0, high: 1, medium: 1, low: 0, info: 0}
    worst_failure: high
    failing_controls: [HTTP-01, TLS-03]
    threshold_exceeded: true
    threshold_failures: [TLS-03]
failures:
  description: The results at or above O(fail_on) that fail, with their host.
  returned: always
  type: list
  elements: dict
  sample:
    - host: web2
      control: TLS-03
      title: TLS 1.0 is refused unless the profile allows it
      target: web2.example.com:443
      status: fail
      severity: high
      message: TLS 1.0 accepted; profile intermediate 5.7 offers only TLSv1.2, TLSv1.3
hosts_without_results:
  description: Hosts of O(hosts) whose O(results_var) was not set (they count as failing unless O(fail_on=none)).
  returned: always
  type: list
  elements: str
  sample: [web3]
"""
