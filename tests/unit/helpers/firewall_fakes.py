# Copyright: webedge.https contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stand-ins the Linux backend tests share: a file store in memory and a replay of recorded commands."""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple


class FakeFiles:
    """A ``FileStore`` over a dict; what is written is kept apart in ``written`` (the files stay as read)."""

    def __init__(self, files: Dict[str, str]) -> None:
        self.files = dict(files)
        self.written: Dict[str, str] = {}

    def read(self, path: str) -> Optional[str]:
        return self.files.get(path)

    def write(self, path: str, text: str, mode: int = 0o644) -> None:
        self.written[path] = text


class Replay:
    """Answers each command with the output recorded in a lab container (each recorded call once)."""

    def __init__(self, calls: List[Dict[str, object]]) -> None:
        self.calls = list(calls)
        self.seen: List[List[str]] = []

    def run(self, argv: Sequence[str], data: Optional[str] = None) -> Tuple[int, str, str]:
        self.seen.append(list(argv))
        for index, call in enumerate(self.calls):
            if call["argv"] == list(argv):
                self.calls.pop(index)
                return int(call["rc"]), str(call["out"]), str(call["err"])  # type: ignore[call-overload]
        raise AssertionError(f"command not in the recording: {argv}")
