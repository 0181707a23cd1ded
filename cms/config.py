"""Reading configuration from the environment.

Settings read every variable through these helpers. A wrong value stops the start with one
line naming the variable (SystemExit with a message: no traceback), so an operator sees
"HọcSố: DATABASE_URL ..." rather than a stack of Django internals.
"""

import os
import sys
from urllib.parse import urlparse


class ConfigError(SystemExit):
    """A bad environment variable; as SystemExit, Python prints the message and exits 1."""

    def __init__(self, name: str, problem: str):
        self.variable = name
        super().__init__(f"HọcSố configuration error: {name} {problem}")


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        if required:
            raise ConfigError(name, "is required but not set.")
        return default
    return value.strip()


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigError(name, f"must be true or false (1/0, yes/no), not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigError(name, f"must be a whole number, not {value!r}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_url(name: str, default: str | None, schemes: tuple[str, ...]) -> str | None:
    value = env_str(name, default)
    if value is None:
        return None
    parsed = urlparse(value)
    if parsed.scheme not in schemes:
        allowed = ", ".join(f"{s}://" for s in schemes)
        raise ConfigError(name, f"must start with one of {allowed} (got {value!r}).")
    return value


def running_tests() -> bool:
    return "pytest" in sys.modules
