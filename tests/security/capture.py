"""Capture everything the demo flows let out: logs, CLI output, HTTP responses, files, dumps."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from chargebook.web.cookies import SESSION_COOKIE

# Loggers that do not propagate to the root (uvicorn's own config) get the handler directly.
NON_PROPAGATING = ("uvicorn", "uvicorn.access", "uvicorn.error")
# Turned to DEBUG explicitly: some set their own level when configured.
LIBRARY_LOGGERS = ("httpx", "httpcore", "sqlalchemy", "sqlalchemy.engine", "alembic",
                   "uvicorn", "uvicorn.access", "uvicorn.error", "websockets", "ocpp",
                   "asyncio", "chargebook")  # fmt: skip

# Columns that store secret hashes on purpose (passwords, OCPP secrets): the test checks their
# form separately; everywhere else such a hash is a leak.
HASH_COLUMNS = (("users", "password_hash"), ("chargers", "ocpp_secret_hash"))


class _ListHandler(logging.Handler):
    def __init__(self, sink: list[str]) -> None:
        super().__init__(logging.DEBUG)
        self.sink = sink
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.sink.append(self.format(record))  # includes the traceback of exc_info
        except Exception:  # a record that cannot be formatted must not hide the others
            self.sink.append(f"{record.name} UNFORMATTABLE {record.msg!r} {record.args!r}")


@dataclass
class Capture:
    """name -> content of every artifact; logs collected by `logging_at_debug`."""

    artifacts: dict[str, bytes | str] = field(default_factory=dict)
    log_lines: list[str] = field(default_factory=list)

    def add(self, name: str, content: bytes | str) -> None:
        while name in self.artifacts:
            name += "'"
        self.artifacts[name] = content

    @contextmanager
    def logging_at_debug(self) -> Iterator[None]:
        """Root logger and every library logger at DEBUG into `log_lines`, restored after."""
        handler = _ListHandler(self.log_lines)
        root = logging.getLogger()
        saved = {name: logging.getLogger(name).level for name in LIBRARY_LOGGERS}
        saved_root = root.level
        root.addHandler(handler)
        root.setLevel(logging.DEBUG)
        try:
            yield
        finally:
            root.removeHandler(handler)
            root.setLevel(saved_root)
            for name, level in saved.items():
                logging.getLogger(name).setLevel(level)
            for name in NON_PROPAGATING:
                logging.getLogger(name).removeHandler(handler)
            self.artifacts["logs"] = "\n".join(self.log_lines)

    def reopen_library_loggers(self) -> None:
        """Call after a library configured its loggers (uvicorn does in Config())."""
        handler = next(h for h in logging.getLogger().handlers if isinstance(h, _ListHandler))
        for name in LIBRARY_LOGGERS:
            logging.getLogger(name).setLevel(logging.DEBUG)
        for name in NON_PROPAGATING:
            logger = logging.getLogger(name)
            if not logger.propagate and handler not in logger.handlers:
                logger.addHandler(handler)

    async def record_response(self, response: httpx.Response) -> None:
        """httpx response hook: status, headers (not the session's Set-Cookie) and body."""
        await response.aread()
        headers = "\n".join(
            f"{key}: {value}"
            for key, value in response.headers.multi_items()
            if not (key.lower() == "set-cookie" and value.startswith(f"{SESSION_COOKIE}="))
        )
        request = response.request
        head = f"{request.method} {request.url} -> {response.status_code}\n{headers}\n\n"
        self.add(f"http {request.method} {request.url.path}", head.encode() + response.content)

    def client(self, app: Any) -> httpx.AsyncClient:
        """A browser-like client of `app` whose every response is captured."""
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=("203.0.113.7", 5555)),
            base_url="http://testserver",
            event_hooks={"response": [self.record_response]},
        )

    def add_files(self, folder: Path, *, skip: tuple[str, ...] = ()) -> None:
        """Every file under `folder`, except names in `skip`. SQLite files as a SQL dump with
        the columns that hold argon2 hashes by design blanked (`HASH_COLUMNS`)."""
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            if path.name in skip or path.name.endswith(("-wal", "-shm")):
                continue
            name = str(path.relative_to(folder))
            if path.suffix == ".sqlite3":
                self.add(f"dump {name}", sqlite_dump(path, blank=HASH_COLUMNS))
            else:
                self.add(f"file {name}", path.read_bytes())


def sqlite_dump(path: Path, *, blank: tuple[tuple[str, str], ...] = ()) -> str:
    """The whole database as SQL text (schema and every row), with the `(table, column)`
    pairs in `blank` emptied in an in-memory copy first (columns that hold hashes by design)."""
    source = sqlite3.connect(path)
    copy = sqlite3.connect(":memory:")
    try:
        source.backup(copy)
        for table, column in blank:
            copy.execute(f"UPDATE {table} SET {column} = '(blanked)'")  # noqa: S608 - test names
        return "\n".join(copy.iterdump())
    finally:
        source.close()
        copy.close()
