# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""plugin_utils/web_files.py: the argument list of the web roles' one read, run for real with GNU find on a
temporary directory, and what its output says (files not loaded yet, copies left behind)."""

from __future__ import annotations

import grp
import hashlib
import os
import pwd
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import AuthorityInformationAccessOID

from ansible_collections.webedge.https.plugins.plugin_utils.web_files import (
    WebFilesError,
    command_output,
    directories_to_make,
    leftovers,
    listing,
    parse,
    read_argv,
    same_file,
    unloaded,
)
from ansible_collections.webedge.https.tests.unit.helpers.tls_certs import make_cert

BACKUP = ".1234.2026-12-03@19:35:36~"


def read(argv):
    return subprocess.run(argv, capture_output=True, text=True, check=False).stdout


def touch(path: Path, mtime: float, text: str = "x\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.utime(path, (mtime, mtime))
    return path


@pytest.fixture
def host(tmp_path: Path) -> Path:
    """conf/ and tls/ with the managed files, a stamp, and copies of every kind next to them."""
    t = 1_700_000_000
    touch(tmp_path / "conf" / "site.conf", t)
    touch(tmp_path / "tls" / "site.key", t)
    touch(tmp_path / "etc" / "dh.pem", t)
    touch(tmp_path / "state" / "loaded", t + 10)
    for name in (
        "conf/site.conf" + BACKUP,  # left behind: removed
        "tls/site.key" + BACKUP,  # an old private key: removed
        "etc/dh.pem.99.2020-01-01@00:00:00~",  # removed
        "conf/other.conf" + BACKUP,  # not a managed file: kept
        "conf/site.conf.bak~",  # not Ansible's name: kept
        "conf/site.conf.1234.2026-12-03@19:35:36",  # no tilde: kept
        "conf/site.conf.x1.2026-12-03@19:35:36~",  # not digits: kept
        "conf/sub/site.conf" + BACKUP,  # not next to the managed file: kept
    ):
        touch(tmp_path / name, t)
    (tmp_path / "conf" / ("site.conf.1.2026-12-03@19:35:36~")).mkdir()  # a directory: kept
    for folder in [p for p in tmp_path.rglob("*") if p.is_dir()]:
        os.utime(folder, (t, t))
    return tmp_path


def test_argv_has_each_start_point_once_and_no_shell(tmp_path: Path):
    argv = read_argv([f"{tmp_path}/conf/", f"{tmp_path}/tls"], f"{tmp_path}/state/loaded", [f"{tmp_path}/conf/a.conf"])
    assert argv == [
        "find",
        f"{tmp_path}/conf",
        f"{tmp_path}/tls",
        f"{tmp_path}/state/loaded",
        "-maxdepth",
        "1",
        "-printf",
        "%y %m %u %g %T@ %p\\n",
    ]


@pytest.mark.parametrize("bad", ["-delete", "(", "relative/path", "!"])
def test_a_path_that_find_could_read_as_its_expression_is_refused(bad: str):
    with pytest.raises(WebFilesError, match="absolute"):
        read_argv([bad], "/var/lib/x.loaded")
    with pytest.raises(WebFilesError, match="absolute"):
        read_argv(["/etc"], "/var/lib/x.loaded", [bad])


def test_only_ansibles_backup_copies_of_managed_files_are_left_overs(host: Path):
    managed = [f"{host}/conf/site.conf", f"{host}/tls/site.key", f"{host}/etc/dh.pem"]
    stdout = read(read_argv([f"{host}/conf", f"{host}/tls"], f"{host}/state/loaded", managed))
    assert leftovers(stdout, managed) == sorted(
        [
            f"{host}/conf/site.conf{BACKUP}",
            f"{host}/etc/dh.pem.99.2020-01-01@00:00:00~",
            f"{host}/tls/site.key{BACKUP}",
        ]
    )
    # the copies this run keeps for its rollback are not left overs
    assert leftovers(stdout, managed, exclude=[f"{host}/tls/site.key{BACKUP}"]) == sorted(
        [f"{host}/conf/site.conf{BACKUP}", f"{host}/etc/dh.pem.99.2020-01-01@00:00:00~"]
    )
    assert leftovers(stdout, []) == []


def test_a_managed_path_with_regex_characters_matches_only_itself(tmp_path: Path):
    touch(tmp_path / "a+b.conf" / "x", 0)  # a directory named like a regex
    touch(tmp_path / ("a+b.conf" + BACKUP), 0)
    touch(tmp_path / ("aab.conf" + BACKUP), 0)
    stdout = read(read_argv([], f"{tmp_path}/loaded", [f"{tmp_path}/a+b.conf"]))
    assert leftovers(stdout, [f"{tmp_path}/a+b.conf"]) == [f"{tmp_path}/a+b.conf{BACKUP}"]


def test_nothing_newer_than_the_stamp_is_loaded(host: Path):
    watched = [f"{host}/conf", f"{host}/tls", f"{host}/never-made"]
    stamp = f"{host}/state/loaded"
    assert unloaded(read(read_argv(watched, stamp)), watched, stamp) == ""


def test_a_file_written_after_the_stamp_is_not_loaded(host: Path):
    watched = [f"{host}/conf", f"{host}/tls"]
    stamp = f"{host}/state/loaded"
    os.utime(host / "tls" / "site.key", (1_700_000_011, 1_700_000_011))
    assert unloaded(read(read_argv(watched, stamp)), watched, stamp) == f"{host}/tls/site.key"


def test_a_newer_file_deeper_than_an_entry_of_a_watched_directory_or_outside_does_not_count(host: Path):
    watched = [f"{host}/conf"]
    stamp = f"{host}/state/loaded"
    touch(host / "conf" / "sub" / "deep.conf", 1_700_000_020)
    os.utime(host / "conf" / "sub", (1_700_000_000, 1_700_000_000))
    os.utime(host / "conf", (1_700_000_000, 1_700_000_000))
    touch(host / "etc" / "newer", 1_700_000_020)
    assert unloaded(read(read_argv(watched, stamp, [f"{host}/etc/dh.pem"])), watched, stamp) == ""


def test_the_same_second_is_not_newer_but_a_nanosecond_more_is(host: Path):
    watched = [f"{host}/conf/site.conf"]
    stamp = f"{host}/state/loaded"
    ns = 1_700_000_010 * 10**9 + 5
    os.utime(host / "state" / "loaded", ns=(ns, ns))
    os.utime(host / "conf" / "site.conf", ns=(ns, ns))
    assert unloaded(read(read_argv(watched, stamp)), watched, stamp) == ""
    os.utime(host / "conf" / "site.conf", ns=(ns + 1, ns + 1))
    assert unloaded(read(read_argv(watched, stamp)), watched, stamp) == f"{host}/conf/site.conf"


def test_no_stamp_means_nothing_was_loaded(host: Path):
    watched = [f"{host}/conf"]
    stamp = f"{host}/state/never"
    assert unloaded(read(read_argv(watched, stamp)), watched, stamp) == stamp
    assert unloaded("", watched, stamp) == stamp  # no output at all: nothing is known to be loaded


def test_lines_that_do_not_parse_are_skipped():
    assert parse(
        "f 644 root root 1.5 /a\nnonsense\nf 644 root root x /b\nf 644 root root 2 relative\n"
        "d 755 www-data adm 3.25 /dir/with space\n"
    ) == {
        "/a": ("f", "644", "root", "root", 1.5),
        "/dir/with space": ("d", "755", "www-data", "adm", 3.25),
    }


def test_the_entries_of_a_directory_to_make_are_not_listed_unless_another_start_point_is_in_it(tmp_path: Path):
    root = tmp_path / "www[1]*"  # glob characters in the name: matched as themselves
    touch(root / "index.html", 0)
    touch(tmp_path / "conf" / "a.conf", 0)
    argv = read_argv([f"{tmp_path}/conf"], f"{tmp_path}/loaded", directories=[str(root), str(tmp_path)])
    listed = set(parse(read(argv)))
    assert str(root) in listed and f"{root}/index.html" not in listed
    # tmp_path holds the watched directory: its entries are listed
    assert str(tmp_path / "conf") in listed and f"{tmp_path}/conf/a.conf" in listed


def test_only_directories_not_there_as_root_owned_0755_are_to_make(tmp_path: Path):
    owner, group = pwd.getpwuid(os.getuid()).pw_name, grp.getgrgid(os.getgid()).gr_name
    good, open_, missing, afile = (tmp_path / n for n in ("good", "open", "missing", "afile"))
    good.mkdir()
    good.chmod(0o755)
    open_.mkdir()
    open_.chmod(0o777)
    afile.write_text("")
    afile.chmod(0o755)
    wanted = [str(good), str(open_), str(missing), str(afile), str(good)]
    stdout = read(read_argv([], f"{tmp_path}/loaded", directories=wanted))
    assert directories_to_make(stdout, wanted, "0755", owner, group) == [str(open_), str(missing), str(afile)]
    assert directories_to_make(stdout, wanted, "0755", "nobody-else", group) == [
        str(good),
        str(open_),
        str(missing),
        str(afile),
    ]


def test_the_same_find_prints_link_targets_and_the_sha1_of_the_compared_files_only(tmp_path: Path):
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "a.conf").write_text("server { listen 443; }\n")
    (conf / "with space.conf").write_text("x\n")
    (conf / "other.conf").write_text("not compared\n")
    (conf / "link.conf").symlink_to("../elsewhere/a target.conf")
    (conf / "b.conf").symlink_to("a.conf")  # compared, but a link: no SHA-1, never the same as a file
    compared = [f"{conf}/a.conf", f"{conf}/with space.conf", f"{conf}/b.conf", f"{conf}/missing.conf"]
    argv = read_argv([str(conf)], f"{tmp_path}/loaded", compared=compared, links=True)
    assert argv[argv.index("-printf") + 2 :][:5] == ["(", "-type", "l", "-printf", "-> %l\\n"]
    assert argv.count("sha1sum") == 1 and argv[-4:] == ["sha1sum", "{}", "+", ")"]
    stdout = read(argv)
    found = {e["path"]: e for e in listing(stdout)}
    digest = hashlib.sha1(b"server { listen 443; }\n").hexdigest()
    assert found[f"{conf}/a.conf"]["sha1"] == digest
    assert found[f"{conf}/with space.conf"]["sha1"] == hashlib.sha1(b"x\n").hexdigest()
    assert found[f"{conf}/other.conf"]["sha1"] == ""  # not compared: not hashed
    assert found[f"{conf}/link.conf"] == {
        **found[f"{conf}/link.conf"],
        "kind": "l",
        "link": "../elsewhere/a target.conf",
    }
    assert found[f"{conf}/b.conf"]["sha1"] == "" and found[f"{conf}/b.conf"]["link"] == "a.conf"
    assert found[f"{conf}/a.conf"]["link"] == ""
    # the extra lines change nothing of what the read said before
    assert (
        set(parse(stdout)) == set(found) and unloaded(stdout, [str(conf)], f"{tmp_path}/loaded") == f"{tmp_path}/loaded"
    )
    user, group = pwd.getpwuid(os.getuid()).pw_name, grp.getgrgid(os.getgid()).gr_name
    mode = oct((conf / "a.conf").stat().st_mode & 0o777)[2:]
    assert same_file(stdout, f"{conf}/a.conf", "server { listen 443; }\n", mode, user, group) is True
    assert same_file(stdout, f"{conf}/a.conf", "server { listen 443; }", mode, user, group) is False  # a byte
    assert (
        same_file(
            stdout, f"{conf}/a.conf", "server { listen 443; }\n", "0600" if mode != "600" else "0644", user, group
        )
        is False
    )
    assert same_file(stdout, f"{conf}/a.conf", "server { listen 443; }\n", mode, "nobody-else", group) is False
    assert same_file(stdout, f"{conf}/a.conf", "server { listen 443; }\n", mode, user, "nobody-else") is False
    assert same_file(stdout, f"{conf}/b.conf", "server { listen 443; }\n", "777", user, group) is False  # a link
    assert same_file(stdout, f"{conf}/missing.conf", "", mode, user, group) is False
    assert same_file(stdout, f"{conf}/other.conf", "not compared\n", mode, user, group) is False  # no SHA-1 read
    # without compared and links, the argument list is the one it was
    assert read_argv([str(conf)], f"{tmp_path}/loaded")[-2:] == ["-printf", "%y %m %u %g %T@ %p\\n"]


def test_a_compared_name_with_glob_characters_matches_only_itself(tmp_path: Path):
    (tmp_path / "a[1].conf").write_text("one\n")
    (tmp_path / "a1.conf").write_text("two\n")
    stdout = read(read_argv([str(tmp_path)], f"{tmp_path}/loaded", compared=[f"{tmp_path}/a[1].conf"]))
    sums = {e["path"]: e["sha1"] for e in listing(stdout)}
    assert sums[f"{tmp_path}/a[1].conf"] == hashlib.sha1(b"one\n").hexdigest()
    assert sums[f"{tmp_path}/a1.conf"] == ""


def _certificate(path: Path, ocsp_url: str = "") -> Path:
    """A self-signed certificate, naming an OCSP responder when ``ocsp_url`` is given (as a fullchain file)."""
    access = [x509.AccessDescription(AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(ocsp_url))]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        make_cert(path.stem, extensions=[x509.AuthorityInformationAccess(access)] if ocsp_url else []).cert_pem
    )
    return path


def test_each_paths_commands_answer_after_its_own_line_and_a_link_keeps_its_target(tmp_path: Path):
    """The web roles read each certificate's OCSP responder in the read (openssl x509 -ocsp_uri, one command per
    certificate): real find, real openssl, a certificate with a responder, one without, one reached through a
    symbolic link in a watched directory (listed twice: as a start point and as an entry)."""
    tls = tmp_path / "tls"
    stapled = _certificate(tls / "www.fullchain.pem", "http://ocsp.lab.test/")
    plain = _certificate(tls / "api.fullchain.pem")
    live = _certificate(tmp_path / "archive" / "shop.pem", "http://ocsp.other.test/x")
    (tls / "shop.fullchain.pem").symlink_to(live)
    paths = [stapled, plain, tls / "shop.fullchain.pem"]
    commands = [{"path": str(p), "argv": ["openssl", "x509", "-noout", "-ocsp_uri", "-in", str(p)]} for p in paths]
    out = read(read_argv([str(tls)], str(tmp_path / "stamp"), links=True, commands=commands))
    assert command_output(out, str(stapled)) == ["http://ocsp.lab.test/"] * 2  # a start point and an entry of tls/
    assert command_output(out, str(plain)) == []
    assert command_output(out, str(tls / "shop.fullchain.pem")) == ["http://ocsp.other.test/x"] * 2
    # the commands' lines are no entries, and the link's target still follows its path
    found = {e["path"]: e for e in listing(out)}
    assert found[str(tls / "shop.fullchain.pem")]["link"] == str(live)
    assert set(found) == {str(tls), *map(str, paths)}
    assert command_output(out, str(tmp_path / "missing.pem")) == []
