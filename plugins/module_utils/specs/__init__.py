# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Argument specs, one file per module, all of one shape.

``specs/<module>.py`` defines ``argument_spec()`` (a fresh dict on every call) and
``module_kwargs()``: the keyword arguments shared by ``AnsibleModule(...)`` on the target
and ``ActionBase.validate_argument_spec(...)`` on the controller (the spec plus any
mutually_exclusive / required_* constraints), so both sides validate the same way.
"""
