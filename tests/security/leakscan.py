"""A secret-leak scanner for the security test: what to look for, where, and what it found.

Secrets are registered with a label; the scanner looks for each in its plain form and in the
encodings a leak would take on the way out (URL/form encoding, JSON escaping, base64 and
base64url at every byte alignment for the e-mail claim inside a JWT), inside every captured
artifact: text, and the members of ZIP files (XLSX, batch exports) and the deflated streams of
PDFs. Patterns catch what was never registered: any JWT, any argon2 or salted SHA-256 secret hash.

A finding names the artifact, the secret's label and a short context with the secret itself
replaced by its label, so the failure message does not leak what it reports.
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import quote, quote_plus

# Any JWT (header and payload are base64url JSON objects, so both start with "eyJ").
JWT_PATTERN = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")
ARGON2_PATTERN = re.compile(r"\$argon2(?:id|i|d)\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+")
# The salted SHA-256 form a generated OCPP secret is stored in (`central_system.auth`).
FAST_HASH_PATTERN = re.compile(r"\$sha256\$[0-9a-f]{32}\$[0-9a-f]{64}")
MIN_SECRET_CHARS = 8  # shorter values would match by chance


@dataclass(frozen=True)
class Finding:
    artifact: str
    label: str
    context: str

    def __str__(self) -> str:
        return f"{self.artifact}: {self.label}: …{self.context}…"


def base64_forms(data: bytes) -> set[str]:
    """Substrings that any base64 or base64url text containing `data` must contain.

    A byte string encodes differently depending on its offset modulo 3 in the surrounding
    data; for each offset the characters that depend only on `data` are kept.
    """
    forms = set()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + data).decode("ascii").rstrip("=")
        start = (offset * 4 + 2) // 3  # characters touched by the padding bytes
        end = (len(b"\0" * offset + data) * 4) // 3  # characters fully inside `data`
        stable = encoded[start:end]
        if len(stable) >= MIN_SECRET_CHARS:
            forms.add(stable)
            forms.add(stable.replace("+", "-").replace("/", "_"))
    return forms


@dataclass
class SecretSet:
    """label -> the strings whose presence means that secret leaked."""

    needles: dict[str, set[str]] = field(default_factory=dict)

    def add(self, label: str, value: str) -> None:
        """Register a secret in its plain, URL, JSON, HTML and base64 (any alignment) forms."""
        if len(value) < MIN_SECRET_CHARS:
            raise ValueError(f"{label}: a secret shorter than {MIN_SECRET_CHARS} can't be scanned")
        forms = {value, quote(value, safe=""), quote_plus(value), json.dumps(value)[1:-1],
                 html.escape(value)}  # fmt: skip
        # Basic auth (Wallbox sign-in, OCPP) sends base64("user:secret"): any alignment.
        forms |= base64_forms(value.encode())
        self.needles.setdefault(label, set()).update(forms)

    def add_jwt(self, label: str, token: str) -> None:
        """A JWT, each of its payload and signature segments on their own."""
        self.add(label, token)
        for name, segment in zip(("payload", "signature"), token.split(".")[1:], strict=True):
            self.add(f"{label} ({name} segment)", segment)

    def add_encoded_claim(self, label: str, value: str) -> None:
        """A value as it appears inside a JWT's base64url payload (e.g. the e-mail claim)."""
        self.needles.setdefault(label, set()).update(base64_forms(value.encode()))

    def labels(self) -> list[str]:
        return sorted(self.needles)

    def values(self, label: str) -> set[str]:
        return self.needles[label]


def texts_of(data: bytes | str) -> Iterator[str]:
    """The text of an artifact, plus that of its ZIP members and PDF streams (recursively)."""
    if isinstance(data, str):
        yield data
        return
    yield data.decode("utf-8", errors="replace")
    yield data.decode("latin-1")  # bytes that are not UTF-8 still match byte for byte
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.namelist():
                yield from texts_of(archive.read(member))
    if data[:5] == b"%PDF-":
        for stream in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.DOTALL):
            try:
                yield zlib.decompress(stream.group(1)).decode("utf-8", errors="replace")
            except zlib.error:
                continue


def _context(text: str, start: int, end: int, label: str) -> str:
    return (text[max(0, start - 40) : start] + f"[{label}]" + text[end : end + 40]).replace(
        "\n", "⏎"
    )


@dataclass
class Allowance:
    """An intended display: `label` must appear exactly `count` times in `artifact`."""

    artifact: str
    label: str
    count: int = 1


def scan(
    artifacts: dict[str, bytes | str], secrets: SecretSet, allowed: list[Allowance] | None = None
) -> list[Finding]:
    """Every place a secret or a secret-shaped pattern occurs, except intended displays.

    An allowance that does not match exactly (the display is gone or shows the secret more
    often) is itself a finding, so the allowance cannot hide a leak or go stale.
    """
    allowed = allowed or []
    findings: list[Finding] = []
    for name, data in artifacts.items():
        texts = list(dict.fromkeys(texts_of(data)))  # ASCII decodes the same both ways
        for label in secrets.labels():
            permitted = [a for a in allowed if a.artifact == name and a.label == label]
            hits = [
                (text, match.start(), match.end())
                for text in texts
                for needle in secrets.values(label)
                for match in re.finditer(re.escape(needle), text)
            ]
            hits = _distinct(hits)
            if permitted:
                # The same bytes decode into several texts: count within the fullest one.
                shown = max((sum(1 for h in hits if h[0] is t) for t in texts), default=0)
                if shown != permitted[0].count:
                    findings.append(Finding(name, label, f"intended display {shown}× (not once)"))
                continue
            findings.extend(Finding(name, label, _context(t, s, e, label)) for t, s, e in hits)
        for pattern, label in (
            (JWT_PATTERN, "a JWT"),
            (ARGON2_PATTERN, "an argon2 hash"),
            (FAST_HASH_PATTERN, "a secret's SHA-256 hash"),
        ):
            for text in texts:
                findings.extend(
                    Finding(name, label, _context(text, m.start(), m.end(), label))
                    for m in pattern.finditer(text)
                )
    return findings


def _distinct(hits: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """One hit per position: several encodings of a secret may match at the same place."""
    seen: dict[tuple[int, int], tuple[str, int, int]] = {}
    for text, start, end in hits:
        key = (id(text), start)
        if key not in seen or end > seen[key][2]:
            seen[key] = (text, start, end)
    return list(seen.values())
