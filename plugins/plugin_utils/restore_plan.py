# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What to put back when a web server refuses a new configuration (the web roles' safe apply).

The roles write their files in place, each task with ``backup: true`` and registered, then test the
whole configuration. When the test fails, the role's rescue puts every file back from the plan
that :func:`restore_plan` builds out of those registered results:

* ``written`` - results of tasks that wrote files in place: ``template``/``copy`` (``dest``, and
  ``backup_file`` when a file was replaced), ``file`` with ``state=link`` (``dest``), and
  ``webedge.https.tls_certificate`` (``files[]`` with ``content_changed``, ``backup_files``);
* ``saved`` - results of the ``copy`` (``remote_src``) that kept a copy of each file about to be
  removed: ``item`` is the file, ``dest`` the copy;
* ``unlinked`` - results of the ``file`` (``state=absent``) that removed symbolic links, looped over
  ``{path, link}`` items: ``link`` is where the removed link pointed.

Each result may be a single task's result or a loop's (``results`` list); results that did not
change anything (skipped, failed, unchanged) add nothing, nor do the predictions of check mode that
name no file (``template`` and ``copy`` of a new file). Runs on the controller only: it reads
registered results and touches no host.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional

__all__ = ["RestorePlanError", "RestoreStep", "restore_plan", "restore_steps"]


class RestorePlanError(ValueError):
    """A registered result does not have the shape the plan is built from."""


@dataclass(frozen=True)
class RestoreStep:
    """One file to put back as it was before the run.

    Attributes:
        path: the file the run wrote or removed.
        backup: the copy to put back over ``path`` (``""`` when there is none).
        link: the target of the symbolic link to recreate at ``path`` (``""`` when it was no link).

    With neither ``backup`` nor ``link``, ``path`` did not exist before the run: remove it.
    """

    path: str
    backup: str = ""
    link: str = ""

    def as_dict(self) -> Dict[str, str]:
        return asdict(self)


def _results(registered: Any, what: str) -> Iterator[Mapping[str, Any]]:
    """The task results in one registered variable: a loop's ``results``, or the result itself."""
    if registered is None:
        return
    if not isinstance(registered, Mapping):
        raise RestorePlanError(f"{what}: expected a registered result (a dict), got {type(registered).__name__}")
    loop = registered.get("results")
    if loop is None:
        yield registered
        return
    if not isinstance(loop, list):
        raise RestorePlanError(f"{what}: 'results' must be a list, got {type(loop).__name__}")
    for index, result in enumerate(loop):
        if not isinstance(result, Mapping):
            raise RestorePlanError(f"{what}.results[{index}]: expected a dict, got {type(result).__name__}")
        yield result


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _written_steps(result: Mapping[str, Any], what: str) -> Iterator[RestoreStep]:
    if not result.get("changed", False):
        return
    files = result.get("files")
    if files is not None:  # webedge.https.tls_certificate: several files per result
        backups = result.get("backup_files") or {}
        for entry in files:
            if isinstance(entry, Mapping) and entry.get("content_changed", False):
                path = _text(entry.get("path"))
                yield RestoreStep(path=path, backup=_text(backups.get(path)))
        return
    path = _text(result.get("dest") or result.get("path"))
    if path:  # in check mode, template and copy predict a new file without naming it: nothing was written
        yield RestoreStep(path=path, backup=_text(result.get("backup_file")))


def _saved_steps(result: Mapping[str, Any], what: str) -> Iterator[RestoreStep]:
    if result.get("failed", False) or not result.get("dest"):
        return  # no copy was made: the file was not removed either
    path = result.get("item")
    if not isinstance(path, str) or not path:
        raise RestorePlanError(f"{what}: the item of a saved copy must be the path of the file, got {path!r}")
    yield RestoreStep(path=path, backup=_text(result["dest"]))


def _unlinked_steps(result: Mapping[str, Any], what: str) -> Iterator[RestoreStep]:
    if not result.get("changed", False):
        return
    item = result.get("item")
    if not isinstance(item, Mapping) or not item.get("path") or not item.get("link"):
        raise RestorePlanError(f"{what}: the item of a removed link must be {{path, link}}, got {item!r}")
    yield RestoreStep(path=_text(item["path"]), link=_text(item["link"]))


def restore_steps(
    written: Iterable[Any], saved: Optional[Any] = None, unlinked: Optional[Any] = None
) -> List[RestoreStep]:
    """The steps that undo a run, in the order the run made its changes (written, removed, unlinked)."""
    if isinstance(written, (Mapping, str)) or not isinstance(written, Iterable):
        raise RestorePlanError(f"written: expected a list of registered results, got {type(written).__name__}")
    steps: List[RestoreStep] = []
    for number, registered in enumerate(written):
        what = f"written[{number}]"
        for result in _results(registered, what):
            steps.extend(_written_steps(result, what))
    for result in _results(saved, "saved"):
        steps.extend(_saved_steps(result, "saved"))
    for result in _results(unlinked, "unlinked"):
        steps.extend(_unlinked_steps(result, "unlinked"))
    return steps


def restore_plan(
    written: Iterable[Any], saved: Optional[Any] = None, unlinked: Optional[Any] = None
) -> List[Dict[str, str]]:
    """:func:`restore_steps` as plain dicts ``{path, backup, link}``, for Jinja2 and loops."""
    return [step.as_dict() for step in restore_steps(written, saved, unlinked)]
