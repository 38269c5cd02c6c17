# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One read-only look at a web server's files (the web roles' commit and rollback steps).

The role runs one GNU ``find`` command (an argument list, no shell) that prints, for each start point and
each entry directly in it (``-maxdepth 1``; not the entries of a directory to create, such as a document
root), its type, mode, owner, group, modification time and path. From that one output the controller tells:

* whether the server has files it has not loaded yet: a watched path (or an entry directly in a watched
  directory) modified after the stamp its reload handler touches, or no stamp at all (:func:`unloaded`);
* which backup copies of the files the role manages were left behind by an earlier run (a run killed
  before it dropped its copies, or a write that failed on a full disk): regular files named
  ``<managed path>.<digits>.<YYYY-MM-DD>@<HH:MM:SS>~``, the name Ansible gives the copies it keeps with
  ``backup: true`` (:func:`leftovers`). Nothing else matches;
* which of the directories the role creates are not there yet as directories with the right mode, owner and
  group (:func:`directories_to_make`): the ``file`` module runs only for those;
* whether a file the role would write is there already with the same content, mode, owner and group
  (:func:`same_file`): the read also prints the SHA-1 of the files to compare (``-exec sha1sum {} +`` in the
  same ``find``), and the write task does not run for a file that is already right;
* what is directly in a watched directory, with the target of each symbolic link (:func:`listing`): the
  callers' stale site files and the distribution's default site (and where its link points) come from it;
* what the callers' own commands answer (``commands``: each runs once, from the same ``find``, when its path is
  there - the server's version and its service's state, the OCSP responder a certificate names, without a module
  run of their own); :func:`command_output` tells a path's commands' lines apart.

Runs on the controller only: it builds an argument list and reads an output.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from decimal import Decimal, InvalidOperation
from typing import Dict, Iterable, List, NamedTuple, Optional, Tuple

__all__ = [
    "BACKUP_SUFFIX",
    "Entry",
    "WebFilesError",
    "command_output",
    "directories_to_make",
    "leftovers",
    "listing",
    "parse",
    "read_argv",
    "same_file",
    "site_paths",
    "stale",
    "unloaded",
]

# Ansible's backup name (module_utils.basic.AnsibleModule.backup_local): path.<pid>.<%Y-%m-%d@%H:%M:%S~>
BACKUP_SUFFIX = r"\.[0-9]+\.[0-9]{4}-[0-9]{2}-[0-9]{2}@[0-9]{2}:[0-9]{2}:[0-9]{2}~"

# type, mode (octal), owner, group, modification time (seconds.nanoseconds), path, a line each (find reads the
# backslash-n): the path last, so a space in it stays in it.
_FORMAT = "%y %m %u %g %T@ %p\\n"
# the target of a symbolic link, on the line right after the link's own line
_LINK_FORMAT = "-> %l\\n"
_LINK_PREFIX = "-> "
# sha1sum's line: 40 hexadecimal digits, two spaces, the path (a name sha1sum escapes starts with a backslash
# and does not match: such a file is compared as different, and written)
_SHA1_LINE = re.compile(r"([0-9a-f]{40})  (/.*)")


class WebFilesError(ValueError):
    """A path given to the read is not an absolute path."""


class Entry(NamedTuple):
    """One line of the read: ``kind`` is find's ``%y`` (``f``, ``d``, ``l``...), ``mode`` its ``%m`` (octal,
    no leading zero), ``owner`` and ``group`` its ``%u`` and ``%g``, ``mtime`` its ``%T@``."""

    kind: str
    mode: str
    owner: str
    group: str
    mtime: Decimal


def _norm(path: str) -> str:
    return posixpath.normpath(path) if path else path


def _paths(values: Iterable[object], what: str) -> List[str]:
    out: List[str] = []
    for value in values:
        if value is None or value == "":
            continue
        text = str(value)
        # find would read a start point that begins with '-', '(' or '!' as its expression
        if not text.startswith("/"):
            raise WebFilesError(f"{what}: every path must be absolute, got {text!r}")
        out.append(_norm(text))
    return out


def _glob_escape(path: str) -> str:
    return re.sub(r"([\\*?\[])", r"\\\1", path)


def _commands(commands: Iterable[object]) -> List[Tuple[str, List[str]]]:
    """(path, argv) of each command, checked: an absolute path, and an argument list of strings none of which
    would end find's ``-exec`` (``;``)."""
    out: List[Tuple[str, List[str]]] = []
    for number, command in enumerate(commands):
        if not isinstance(command, dict) or set(command) != {"path", "argv"}:
            raise WebFilesError(f"commands[{number}]: expected a mapping with the keys path and argv, got {command!r}")
        (path,) = _paths([command["path"]], f"commands[{number}].path") or [""]
        argv = command["argv"]
        if not path or isinstance(argv, (str, bytes, dict)) or not hasattr(argv, "__iter__"):
            raise WebFilesError(f"commands[{number}]: needs an absolute path and a list argv, got {command!r}")
        words = [str(word) for word in argv]
        if not words or any(word in (";", "") for word in words):
            raise WebFilesError(f"commands[{number}].argv: a non-empty list without ';' or empty words, got {words!r}")
        out.append((path, words))
    return out


def read_argv(
    watched: Iterable[object],
    stamp: str,
    managed: Iterable[object] = (),
    directories: Iterable[object] = (),
    compared: Iterable[object] = (),
    links: bool = False,
    commands: Iterable[object] = (),
) -> List[str]:
    """The ``find`` argument list: the watched paths, the directory of each managed file, the stamp and the
    directories to create, each start point once, with the entries directly in each directory - except those
    of a directory to create (a document root may hold many files), unless it is also (or holds) another start
    point. With ``links``, each symbolic link's target follows its line; the regular files among ``compared``
    (files in those directories) get a ``sha1sum`` line (one ``sha1sum`` run for all, from the same ``find``;
    find flushes its own output before it runs a command, so lines never mix). Each of ``commands``
    (``{"path": ..., "argv": [...]}``) runs once when its path is there (its path is a start point, listed like
    the others): its standard output joins the read's, its standard error the read's standard error."""
    run = _commands(commands)
    starts: List[str] = []
    make = _paths(directories, "directories")
    for path in (
        _paths(watched, "watched")
        + [posixpath.dirname(p) for p in _paths(managed, "managed")]
        + _paths([stamp], "stamp")
        + make
        + [path for path, _argv in run]
    ):
        if path not in starts:
            starts.append(path)
    others = [p for p in starts if p not in make]
    pruned = [d for d in dict.fromkeys(make) if d != "/" and not any(o == d or o.startswith(d + "/") for o in others)]
    prune: List[str] = []
    for number, path in enumerate(pruned):
        prune += (["-o"] if number else []) + ["-path", _glob_escape(path) + "/*"]
    extra: List[str] = []
    if links:
        extra += ["-type", "l", "-printf", _LINK_FORMAT]
    hashed: List[str] = []
    for number, path in enumerate(dict.fromkeys(_paths(compared, "compared"))):
        hashed += (["-o"] if number else []) + ["-path", _glob_escape(path)]
    if hashed:
        extra += (["-o"] if extra else []) + ["(", *hashed, ")", "-type", "f", "-exec", "sha1sum", "{}", "+"]
    by_path: Dict[str, List[List[str]]] = {}
    for path, words in run:
        by_path.setdefault(path, []).append(words)
    called: List[str] = []
    for number, (path, argvs) in enumerate(by_path.items()):
        # each command of that path runs, whatever the one before answered (the comma operator)
        execs: List[str] = []
        for index, words in enumerate(argvs):
            execs += ([","] if index else []) + ["-exec", *words, ";"]
        called += (["-o"] if number else []) + ["-path", _glob_escape(path), "(", *execs, ")"]
    expression = (["(", *prune, ")", "-prune", "-o"] if prune else []) + ["-printf", _FORMAT]
    if extra and called:
        # the commands run whatever the link and SHA-1 branch answered for their path
        expression += ["(", "(", *called, ")", ",", "(", *extra, ")", ")"]
    elif extra or called:
        expression += ["(", *(extra or called), ")"]
    return ["find", *starts, "-maxdepth", "1", *expression]


def parse(stdout: Optional[str]) -> Dict[str, Entry]:
    """Path -> entry, from the output of :func:`read_argv`'s command (lines that do not parse are skipped:
    a file name with a newline in it cannot be a watched or a managed path)."""
    entries: Dict[str, Entry] = {}
    for line in (stdout or "").splitlines():
        if line.startswith(_LINK_PREFIX) or _SHA1_LINE.fullmatch(line):
            continue
        parts = line.split(" ", 5)
        if len(parts) != 6 or not parts[5].startswith("/"):
            continue
        try:
            mtime = Decimal(parts[4])
        except InvalidOperation:
            continue
        entries[_norm(parts[5])] = Entry(parts[0], parts[1], parts[2], parts[3], mtime)
    return entries


def unloaded(stdout: Optional[str], watched: Iterable[object], stamp: str) -> str:
    """The first watched path modified after the stamp (a watched path itself or an entry directly in a
    watched directory), or the stamp's own path when there is no stamp; ``""`` when everything is loaded.
    A watched path that does not exist does not count."""
    entries = parse(stdout)
    stamp_path = _norm(str(stamp))
    loaded = entries.get(stamp_path)
    if loaded is None:
        return stamp_path
    roots = set(_paths(watched, "watched"))
    for path, entry in entries.items():
        if path == stamp_path:
            continue
        if (path in roots or posixpath.dirname(path) in roots) and entry.mtime > loaded.mtime:
            return path
    return ""


def leftovers(stdout: Optional[str], managed: Iterable[object], exclude: Iterable[object] = ()) -> List[str]:
    """The backup copies of the managed files found by the read (regular files with Ansible's backup name
    of a managed path), sorted, except those in ``exclude`` (the copies this run still needs)."""
    names = _paths(managed, "managed")
    if not names:
        return []
    pattern = re.compile("(?:" + "|".join(re.escape(n) for n in sorted(set(names))) + ")" + BACKUP_SUFFIX)
    kept = {_norm(str(p)) for p in exclude if p}
    return sorted(
        path
        for path, entry in parse(stdout).items()
        if entry.kind == "f" and path not in kept and pattern.fullmatch(path)
    )


def directories_to_make(
    stdout: Optional[str], directories: Iterable[object], mode: str = "0755", owner: str = "root", group: str = "root"
) -> List[str]:
    """The directories (in the order given, each once) that the read did not find as a directory with that
    mode, owner and group: missing, another type, or other permissions."""
    entries = parse(stdout)
    wanted = int(str(mode), 8)
    out: List[str] = []
    for path in dict.fromkeys(_paths(directories, "directories")):
        entry = entries.get(path)
        try:
            same_mode = entry is not None and int(entry.mode, 8) == wanted
        except ValueError:
            same_mode = False
        if not (
            entry is not None and entry.kind == "d" and same_mode and entry.owner == owner and entry.group == group
        ):
            out.append(path)
    return out


def _extras(stdout: Optional[str]) -> Tuple[Dict[str, str], Dict[str, str]]:
    """Path -> link target, and path -> SHA-1, from the lines :func:`read_argv` adds with ``links`` and
    ``compared``."""
    targets: Dict[str, str] = {}
    sums: Dict[str, str] = {}
    last = ""
    for line in (stdout or "").splitlines():
        digest = _SHA1_LINE.fullmatch(line)
        if digest:
            sums[_norm(digest.group(2))] = digest.group(1)
        elif line.startswith(_LINK_PREFIX):
            if last:
                targets[last] = line[len(_LINK_PREFIX) :]
            last = ""
        elif _is_entry(line):
            parts = line.split(" ", 5)
            last = _norm(parts[5]) if parts[0] == "l" else ""
        # else a line of a command run for the last path (before its link's target): the link is still that path's
    return targets, sums


def _is_entry(line: str) -> bool:
    parts = line.split(" ", 5)
    return len(parts) == 6 and parts[5].startswith("/")


def command_output(stdout: Optional[str], path: str) -> List[str]:
    """The standard output lines of the commands run for ``path`` (:func:`read_argv`'s ``commands``): find prints
    a path's own line, then runs its commands (it flushes its output first), so their lines are those right after
    each line of ``path``, up to the next path's line, link target or SHA-1 line. A path listed twice (a start point
    that is also an entry of a watched directory) runs its commands twice: both answers are returned."""
    if not str(path).startswith("/"):
        raise WebFilesError(f"path: must be absolute, got {path!r}")
    name = _norm(str(path))
    lines: List[str] = []
    mine = False
    for line in (stdout or "").splitlines():
        if line.startswith(_LINK_PREFIX) or _SHA1_LINE.fullmatch(line):
            mine = False
        elif _is_entry(line):
            mine = _norm(line.split(" ", 5)[5]) == name
        elif mine and line:
            lines.append(line)
    return lines


def listing(stdout: Optional[str]) -> List[Dict[str, str]]:
    """Every path the read printed, sorted: ``path``, ``kind`` (find's ``%y``), ``mode`` (octal, no leading
    zero), ``owner``, ``group``, ``link`` (a symbolic link's target, else ``""``) and ``sha1`` (of a compared
    regular file, else ``""``)."""
    targets, sums = _extras(stdout)
    return [
        {
            "path": path,
            "kind": entry.kind,
            "mode": entry.mode,
            "owner": entry.owner,
            "group": entry.group,
            "link": targets.get(path, ""),
            "sha1": sums.get(path, ""),
        }
        for path, entry in sorted(parse(stdout).items())
    ]


def same_file(
    stdout: Optional[str], path: str, content: str, mode: str = "0644", owner: str = "root", group: str = "root"
) -> bool:
    """Whether the read found ``path`` as a regular file (not a link) with exactly ``content`` (UTF-8, as the
    template and copy modules write it), that mode, owner and group. Anything unknown counts as different."""
    if not str(path).startswith("/"):
        raise WebFilesError(f"path: must be absolute, got {path!r}")
    name = _norm(str(path))
    entry = parse(stdout).get(name)
    digest = _extras(stdout)[1].get(name)
    if entry is None or digest is None or entry.kind != "f":
        return False
    try:
        same_mode = int(entry.mode, 8) == int(str(mode), 8)
    except ValueError:
        return False
    wanted = hashlib.sha1(str(content).encode("utf-8"), usedforsecurity=False).hexdigest()
    return same_mode and entry.owner == str(owner) and entry.group == str(group) and digest == wanted


def _unique(values: Iterable[object]) -> List[object]:
    return list(dict.fromkeys(values))


def site_paths(
    sites: Iterable[Dict[str, object]], watch_paths: Iterable[object] = (), managed_files: Iterable[object] = ()
) -> Dict[str, List[object]]:
    """What the read looks at for the sites (each list in order, each value once): ``watched`` (the caller's
    watched paths and every site's certificate files), ``managed`` (the caller's managed files and the
    certificate files of the sites with certificate material, whose backup copies an earlier run left behind
    are removed) and ``directories`` (the ACME challenge directory of each site that redirects http, and each
    document root the role creates), and ``compared`` (the caller's managed files as given)."""
    listed = list(sites)
    managed_files = list(managed_files)
    installed = [site for site in listed if site.get("install_certificate")]
    watched = (
        list(watch_paths)
        + [site["fullchain_path"] for site in listed]
        + [site["key_path"] for site in listed]
        + [site["chain_path"] for site in listed if site.get("chain_path")]
    )
    managed = (
        managed_files
        + [site["fullchain_path"] for site in installed]
        + [site["key_path"] for site in installed]
        + [site["chain_path"] for site in installed if site.get("chain_path")]
    )
    challenges = _unique(site["acme_challenge_root"] for site in listed if site.get("http_redirect"))
    directories = [f"{root}/.well-known/acme-challenge" for root in challenges] + [
        site["root"] for site in listed if site.get("root") and site.get("create_root")
    ]
    return {
        "watched": _unique(watched),
        "managed": _unique(managed),
        "directories": _unique(directories),
        "compared": list(managed_files),
    }


def stale(
    stdout: Optional[str],
    directories: Iterable[object],
    prefix: str,
    keep: Iterable[object] = (),
    purge: bool = True,
    default: Optional[str] = None,
    default_file: bool = True,
    relink: Optional[str] = None,
) -> Dict[str, List[object]]:
    """What the read found that is no longer wanted: ``files`` (paths to remove) and ``links`` (``{path,
    link}``: a symbolic link to remove and where it points, to put it back on failure), in path order.

    With ``purge``, every entry directly in one of ``directories`` whose name starts with ``prefix`` and ends
    with ``.conf``, unless ``keep`` names it (an absolute path is compared with the path, anything else with
    the file name): a regular file, or with ``relink`` also a symbolic link (said to point at ``relink`` and its
    own name). Then ``default`` (the distribution's default site) when the read found it: as a link with its
    target, or as a regular file when ``default_file``."""
    entries = listing(stdout)
    dirs = {_norm(str(d).rstrip("/") or "/") for d in directories}
    kept = {str(k) for k in keep}
    kinds = ("f", "l") if relink is not None else ("f",)
    files: List[object] = []
    links: List[object] = []
    if purge:
        for entry in entries:
            path = entry["path"]
            name = posixpath.basename(path)
            if (
                entry["kind"] in kinds
                and posixpath.dirname(path) in dirs
                and name.startswith(prefix)
                and name.endswith(".conf")
                and path not in kept
                and name not in kept
            ):
                if entry["kind"] == "f":
                    files.append(path)
                else:
                    links.append({"path": path, "link": f"{relink}{name}"})
    if default:
        for entry in entries:
            if entry["path"] != default:
                continue
            if entry["kind"] == "f" and default_file:
                files.append(entry["path"])
            elif entry["kind"] == "l":
                links.append({"path": entry["path"], "link": entry["link"]})
    return {"files": files, "links": links}
