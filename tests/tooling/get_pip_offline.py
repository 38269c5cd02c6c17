"""Stand-in for pip's get-pip.py bootstrap script, for ansible-test.

ansible-test bootstraps pip in each virtual environment it creates by
downloading get-pip.py from ci-files.testing.ansible.com, a host this project's
machines cannot reach. Make installs this file in its cache
(~/.ansible/test/cache/get_pip_<version>.py); it does the same job with what is
reachable: pip from Python's own ensurepip, then the requested pip from PyPI.
It takes get-pip.py's arguments: pip install arguments, plus --no-setuptools
and --no-wheel.
"""

import subprocess
import sys


def main() -> None:
    args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
    subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"])
    subprocess.check_call([sys.executable, "-m", "pip", "install", *args])


if __name__ == "__main__":
    main()
