# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The web roles' paths of the read (web_common's __web_common_paths) and their files and links to remove
(nginx's and Apache's __nginx_stale and __apache_stale) are one filter call each (web_files_paths,
web_files_stale) instead of Jinja loops re-rendered at every reference: rendered by Ansible's templar, they
decide what the Jinja they replace decided (kept here as the reference) on random sites and random reads."""

from __future__ import annotations

import random
from typing import Any, Dict, List

import pytest

from ansible_collections.webedge.https.tests.unit.helpers.roles import load, render, web_site

WEB_COMMON = load("web_common", "vars/main.yml")
NGINX = {**load("nginx", "defaults/main.yml"), **load("nginx", "vars/main.yml")}
APACHE = {**load("apache", "defaults/main.yml"), **load("apache", "vars/main.yml")}

# The Jinja of web_common's vars/main.yml before the filter (the reference).
OLD_WATCHED = """{{ (web_common_watch_paths
      + (web_common_sites | map(attribute='fullchain_path') | list)
      + (web_common_sites | map(attribute='key_path') | list)
      + (web_common_sites | map(attribute='chain_path') | select | list)) | unique }}"""
OLD_MANAGED = """{{ (web_common_managed_files
      + (web_common_sites | selectattr('install_certificate') | map(attribute='fullchain_path') | list)
      + (web_common_sites | selectattr('install_certificate') | map(attribute='key_path') | list)
      + (web_common_sites | selectattr('install_certificate') | map(attribute='chain_path') | select | list))
     | unique }}"""
OLD_DIRECTORIES = """{{ (web_common_sites | selectattr('http_redirect') | map(attribute='acme_challenge_root') | unique
      | map('regex_replace', '$', '/.well-known/acme-challenge') | list
      + web_common_sites | selectattr('root') | selectattr('create_root') | map(attribute='root') | list) | unique }}"""

# nginx's vars/main.yml before the filter.
OLD_NGINX = {
    "__nginx_found": "{{ __web_common_unloaded.stdout | default('') | webedge.https.web_files_entries }}",
    "__nginx_default_found": """{{ (__nginx_found | selectattr('path', 'equalto', __nginx_default_site) | list)
     if nginx_remove_default_site | bool else [] }}""",
    "__nginx_old_files": """{%- set ns = namespace(out=[]) -%}
  {%- set conf_dir = nginx_conf_dir | regex_replace('(.)/+$', '\\\\1') -%}
  {%- for f in __nginx_found if nginx_purge_sites | bool and f.kind == 'f' and (f.path | dirname) == conf_dir
        and (f.path | basename) is match(__nginx_site_prefix | regex_escape) and f.path is search('[.]conf$')
        and f.path not in __nginx_site_files -%}
  {%-   set ns.out = ns.out + [f.path] -%}
  {%- endfor -%}
  {{ ns.out + (__nginx_default_found | selectattr('kind', 'equalto', 'f') | map(attribute='path') | list) }}""",
    "__nginx_old_links": """{%- set ns = namespace(out=[]) -%}
  {%- for f in __nginx_default_found if f.kind == 'l' -%}
  {%-   set ns.out = ns.out + [{'path': f.path, 'link': f.link}] -%}
  {%- endfor -%}
  {{ ns.out }}""",
}

# Apache's vars/main.yml before the filter.
OLD_APACHE = {
    "__apache_sites_dirs": ["{{ __apache_config_root }}/sites-available", "{{ __apache_config_root }}/sites-enabled"],
    "__apache_default_found": """{{ (__apache_found | selectattr('path', 'equalto', __apache_default_site) | list)
     if apache_remove_default_site | bool else [] }}""",
    "__apache_old_stale": """{{ __apache_found
     | selectattr('path', 'search', '/' ~ (__apache_site_prefix | regex_escape) ~ '[^/]*[.]conf$')
     | selectattr('path', 'search', '^(' ~ (__apache_sites_dirs | map('regex_escape') | join('|')) ~ ')/[^/]+$')
     | rejectattr('path', 'search', '/(' ~ (__apache_site_files | map('regex_escape') | join('|') or '-') ~ ')$')
     | selectattr('kind', 'in', ['f', 'l']) | list if apache_purge_sites | bool else [] }}""",
    "__apache_old_files": "{{ __apache_old_stale | selectattr('kind', 'equalto', 'f') | map(attribute='path') }}",
    "__apache_old_links": """{%- set ns = namespace(out=[]) -%}
  {%- for f in __apache_old_stale if f.kind == 'l' -%}
  {%-   set ns.out = ns.out + [{'path': f.path, 'link': '../sites-available/' ~ (f.path | basename)}] -%}
  {%- endfor -%}
  {%- for f in __apache_default_found if f.kind == 'l' -%}
  {%-   set ns.out = ns.out + [{'path': __apache_default_site, 'link': f.link}] -%}
  {%- endfor -%}
  {{ ns.out }}""",
}

NAMES = ["www", "api", "old", "a.b", "x-y", "-def"]


def _sites(rng: random.Random) -> List[Dict[str, Any]]:
    sites = []
    for name in rng.sample(NAMES, rng.randint(0, 4)):
        tls = rng.choice(["/etc/ssl/web", "/etc/nginx/tls"])
        sites.append(
            web_site(
                tls,
                name=name,
                install_certificate=rng.random() < 0.6,
                chain_path=rng.choice([None, "", f"{tls}/{name}.chain.pem", f"{tls}/shared.chain.pem"]),
                fullchain_path=rng.choice([f"{tls}/{name}.fullchain.pem", f"{tls}/shared.pem"]),
                root=rng.choice([None, "", f"/var/www/{name}", "/var/www/shared"]),
                create_root=rng.random() < 0.5,
                http_redirect=rng.random() < 0.6,
                acme_challenge_root=rng.choice(["/var/www/acme-challenge", "/srv/acme", "/srv/acme/"]),
            )
        )
    return sites


def _line(rng: random.Random, path: str) -> List[str]:
    kind = rng.choice("ffflld")
    lines = [f"{kind} {'777' if kind == 'l' else '644'} root root 1764800000.{rng.randint(0, 9)} {path}"]
    if kind == "l":
        lines.append("-> " + rng.choice(["../sites-available/" + path.rsplit("/", 1)[1], "/elsewhere/x.conf"]))
    return lines


def _read(rng: random.Random, dirs: List[str], defaults: List[str], prefix: str) -> Dict[str, Any]:
    names = [f"{prefix}{n}.conf" for n in NAMES] + [
        f"{prefix}www.conf.1.2026-12-03@19:35:36~",
        f"{prefix}www.txt",
        "other.conf",
        f"x{prefix}www.conf",
    ]
    lines: List[str] = []
    for directory in dirs:
        for name in rng.sample(names, rng.randint(0, len(names))):
            lines += _line(rng, f"{directory}/{name}")
    for path in defaults:
        if rng.random() < 0.7:
            lines += _line(rng, path)
    return {"stdout": "\n".join(lines) + "\n", "rc": 0}


@pytest.mark.parametrize("seed", range(4))
def test_the_paths_of_the_read_are_those_the_jinja_gave(seed: int):
    rng = random.Random(seed)
    for _case in range(60):
        context = {
            **WEB_COMMON,
            "web_common_sites": _sites(rng),
            "web_common_watch_paths": rng.sample(["/etc/nginx/conf.d", "/etc/ssl/web", "/etc/nginx/tls"], 2),
            "web_common_managed_files": rng.sample(["/etc/nginx/conf.d/a.conf", "/etc/ssl/web/shared.pem"], 2),
        }
        paths = render("{{ __web_common_paths }}", context)
        assert paths["watched"] == render(OLD_WATCHED, context)
        assert paths["managed"] == render(OLD_MANAGED, context)
        assert paths["directories"] == render(OLD_DIRECTORIES, context)


@pytest.mark.parametrize("seed", range(4))
def test_nginx_removes_what_its_jinja_removed(seed: int):
    rng = random.Random(seed)
    for _case in range(60):
        conf_dir = rng.choice(["/etc/nginx/conf.d", "/etc/nginx/sites-enabled"])
        context = {
            **NGINX,
            **OLD_NGINX,
            "nginx_sites": [{"name": n, "server_names": [f"{n}.lab.test"]} for n in rng.sample(NAMES[:5], 2)],
            "nginx_conf_dir": conf_dir,
            "nginx_purge_sites": rng.random() < 0.8,
            "nginx_remove_default_site": rng.random() < 0.8,
            "__web_common_unloaded": _read(
                rng,
                ["/etc/nginx/conf.d", "/etc/nginx/sites-enabled"],
                ["/etc/nginx/sites-enabled/default"],
                "webedge-site-",
            ),
        }
        assert render("{{ __nginx_stale }}", context) == {
            "files": render("{{ __nginx_old_files }}", context),
            "links": render("{{ __nginx_old_links }}", context),
        }


@pytest.mark.parametrize("seed", range(4))
def test_apache_removes_what_its_jinja_removed(seed: int):
    rng = random.Random(seed)
    for _case in range(60):
        context = {
            **APACHE,
            **OLD_APACHE,
            "apache_sites": [
                {"name": n, "server_names": [f"{n}.lab.test"], "default_server": rng.random() < 0.2}
                for n in rng.sample(NAMES[:5], rng.randint(0, 2))
            ],
            "apache_purge_sites": rng.random() < 0.8,
            "apache_remove_default_site": rng.random() < 0.8,
            "__web_common_unloaded": _read(
                rng,
                ["/etc/apache2/sites-available", "/etc/apache2/sites-enabled", "/etc/apache2/conf-enabled"],
                ["/etc/apache2/sites-enabled/000-default.conf"],
                "webedge-site-",
            ),
        }
        stale = render("{{ __apache_stale }}", context)
        assert stale == {
            "files": render("{{ __apache_old_files }}", context),
            "links": render("{{ __apache_old_links }}", context),
        }


def test_the_random_reads_do_find_something_to_remove():
    # the comparisons above are not all between empty lists
    rng = random.Random(0)
    found = {"files": 0, "links": 0}
    for _case in range(40):
        context = {
            **NGINX,
            "nginx_sites": [{"name": "www", "server_names": ["www.lab.test"]}],
            "__web_common_unloaded": _read(
                rng, ["/etc/nginx/conf.d"], ["/etc/nginx/sites-enabled/default"], "webedge-site-"
            ),
        }
        stale = render("{{ __nginx_stale }}", context)
        found = {key: found[key] + len(stale[key]) for key in found}
    assert found["files"] > 10 and found["links"] > 3
