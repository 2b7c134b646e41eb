"""One finding of `longdoc doctor`: what was checked, how it stands, and the command that fixes
it. Every layer reports its own checks in this shape."""

from __future__ import annotations

from dataclasses import asdict, dataclass

OK, INFO, WARN, FAIL = "ok", "info", "warn", "fail"


@dataclass(frozen=True)
class Check:
    area: str  # 'python', 'model', 'library', ...
    name: str
    status: str  # ok, info (nothing to do), warn (works, could be better), fail (broken)
    detail: str
    fix: str = ""  # the command (or step) that fixes it

    def to_dict(self) -> dict:
        return asdict(self)


def broken(checks: list[Check]) -> bool:
    return any(c.status == FAIL for c in checks)
