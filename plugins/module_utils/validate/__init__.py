# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Validators per layer: one module for each language a value is written into (nginx and Apache
configuration), so no value given by a user can add a directive, a block or a section there.

Each validator returns a message naming the variable and the value, or ``None``; the roles call them
through the filter ``webedge.https.web_config_errors`` before anything changes on a host. Firewall
rulesets (plugins/module_utils/firewall/model.py) and PowerShell scripts (values passed as data, never
as code) have their own checks where they are built.
"""
