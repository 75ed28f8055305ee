"""Settings: embedded defaults, then instance/config.py, then CASEBOOK_* environment variables.

Every setting is documented here and in the README (a test checks that the README names each).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

DEFAULTS: dict[str, Any] = {
    # SQLAlchemy URL of the database; PostgreSQL in production, e.g.
    # postgresql+psycopg://user@host/dbname. The default is a SQLite file in instance/.
    "DATABASE_URL": f"sqlite:///{ROOT / 'instance' / 'casebook.sqlite'}",
    # Directory of the search index (generated; rebuild with `casebook reindex`).
    "SEARCH_INDEX_DIR": str(ROOT / "search_index"),
    # The search engine: "whoosh" (pure Python, the default; up to about 10,000-20,000 cases) or
    # "tantivy" (Rust, from the `tantivy` wheel; several times faster, and for larger collections).
    # Both index the same terms and give the same results. An index is built by one engine: after
    # a change, each server finds its index built by the other (its fingerprint differs) and
    # rebuilds it in the background, or run `casebook reindex`.
    "SEARCH_ENGINE": "whoosh",
    # Secret for sessions and CSRF tokens. Required outside debug and testing; `make run`
    # writes a random one to instance/secret_key when none is set.
    "SECRET_KEY": None,
    # Population band boundaries, ascending, comma-separated in the environment.
    "POPULATION_BANDS": "5000,10000,20000,50000,100000,200000,500000",
    # Results per search page, and the largest page size the JSON API accepts.
    "PAGE_SIZE": 20,
    "MAX_PAGE_SIZE": 100,
    # Seconds to wait for the index writer lock before leaving a case marked for repair.
    "INDEX_LOCK_TIMEOUT": 10.0,
    # Seconds between a process's checks for case changes made by other processes (each server
    # applies them to its own index; see services/indexing.py). 0 turns the background thread
    # off. Unset: 2 seconds, and off under TESTING (tests that want it set it).
    "INDEX_POLL_SECONDS": None,
    # /readyz answers 503 when the index is more than this many changes behind the database.
    "READY_MAX_LAG": 50,
    # Hours a curator stays signed in (from sign-in, and at most this long idle).
    "SESSION_HOURS": 8,
    # Send session cookies over HTTPS only (set to 1 in production behind HTTPS).
    "SECURE_COOKIES": 0,
    # Number of reverse proxies in front of the app that append to X-Forwarded-For and set
    # X-Forwarded-Proto (nginx with `proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for`):
    # 1 for one proxy. The client's address is then read from that header (sign-in throttling,
    # logs) and HTTPS from X-Forwarded-Proto. 0 (the default) trusts no forwarded header: a
    # client could write any address there. Host is not taken from X-Forwarded-Host (the proxy
    # should pass the Host header itself: `proxy_set_header Host $host`).
    "TRUSTED_PROXIES": 0,
    # Largest request body accepted, in bytes.
    "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,
    # Requests per API client (counted in RATE_LIMIT_STORAGE): N/second, N/minute, N/hour or
    # N/day. Empty means no limit.
    "API_RATE_LIMIT": "300/minute",
    # Requests per visitor (the signed-in user, else the address) to the pages that run a search
    # or lay out sheets: search results, exports, printable sheets and their PDFs. Generous for
    # people (a whole office behind one address), a stop for scripts. Same form; empty: none.
    "HTML_RATE_LIMIT": "300/minute",
    # PDFs (one case's sheet or a search's batch) per visitor, counted in addition to the above:
    # a PDF costs about 0.2-0.4 s of CPU a page, a visitor's batch up to 30 pages. Same form;
    # empty: none.
    "PDF_RATE_LIMIT": "10/minute",
    # Where the limits above are counted, shared by every worker and server: "database" (the
    # app's database), a `limits` storage URI such as redis://host:6379 (install its client,
    # e.g. `pip install redis`), or "memory://" (each process alone). Empty: memory:// with the
    # embedded SQLite file, else the database.
    "RATE_LIMIT_STORAGE": "",
    # Questions about a case (/cases/<slug>/ask) per address and per e-mail address; same form as
    # the limits above; empty: none.
    "INQUIRY_RATE_LIMIT": "5/hour",
    # Alert subscription requests per client address and per e-mail address; same form; empty: none.
    "ALERT_RATE_LIMIT": "5/hour",
    # Days after an inquiry is closed before `casebook inquiries purge` deletes its personal data.
    "INQUIRY_RETENTION_DAYS": 365,
    # Seconds a statement waits for a lock held by another connection (SQLite's busy_timeout,
    # PostgreSQL's lock_timeout) before it fails and the request answers 503.
    "DATABASE_LOCK_TIMEOUT": 10.0,
    # The site's public address, for links in e-mails and feeds made outside a request (the
    # `casebook alerts send` job): e.g. https://casebook.example.go.jp. Requests use their own.
    "PUBLIC_URL": "http://127.0.0.1:5000",
    # Outgoing mail (services/mail.py). Without SMTP_HOST, messages are written as .eml files to
    # SMTP_OUTBOX (the development default: instance/mail) instead of being sent.
    "SMTP_HOST": "",
    "SMTP_PORT": 587,
    # "starttls" (port 587), "ssl" (port 465) or "none" (a local relay only).
    "SMTP_SECURITY": "starttls",
    "SMTP_USERNAME": "",
    "SMTP_PASSWORD": "",
    # Seconds to wait for the SMTP server before a message counts as not sent (it is retried).
    "SMTP_TIMEOUT": 10.0,
    # The sender of every message, e.g. "casebook 事務局 <casebook@example.go.jp>".
    "SMTP_FROM": "casebook <noreply@localhost>",
    # Where messages go without SMTP_HOST. Empty: instance/mail.
    "SMTP_OUTBOX": "",
}

INTEGER_SETTINGS = {"PAGE_SIZE", "MAX_PAGE_SIZE", "MAX_CONTENT_LENGTH", "SESSION_HOURS", "SECURE_COOKIES",
                    "READY_MAX_LAG", "TRUSTED_PROXIES", "SMTP_PORT",
                    "INQUIRY_RETENTION_DAYS"}
FLOAT_SETTINGS = {"INDEX_LOCK_TIMEOUT", "INDEX_POLL_SECONDS", "DATABASE_LOCK_TIMEOUT", "SMTP_TIMEOUT"}
# Settings for which an empty variable means "off" rather than "unset, use the default".
EMPTY_MEANS_OFF = {"API_RATE_LIMIT", "HTML_RATE_LIMIT", "PDF_RATE_LIMIT", "INQUIRY_RATE_LIMIT", "ALERT_RATE_LIMIT"}


class ConfigError(RuntimeError):
    """Raised when the settings cannot be used."""


def from_environment(environ: os._Environ | dict[str, str] = os.environ) -> dict[str, Any]:
    """Return the CASEBOOK_* variables that name a known setting, converted to their type."""
    found: dict[str, Any] = {}
    for key in DEFAULTS:
        value = environ.get(f"CASEBOOK_{key}")
        if value is None or (value == "" and key not in EMPTY_MEANS_OFF):
            continue
        try:
            if key in INTEGER_SETTINGS:
                found[key] = int(value)
            elif key in FLOAT_SETTINGS:
                found[key] = float(value)
            else:
                found[key] = value
        except ValueError as exc:
            raise ConfigError(f"CASEBOOK_{key} must be a number, not {value!r}") from exc
    return found


MIN_SECRET_LENGTH = 32
# Placeholders seen in examples and templates; a secret containing one was never generated.
PLACEHOLDER_SECRETS = ("changeme", "replaceme", "yoursecret", "secretkey", "example", "insecure", "development")


def check_secret(value: str) -> None:
    """Refuse a secret that a person typed rather than generated: short, a placeholder, or repetitive."""
    folded = "".join(c for c in value.lower() if c.isalnum())
    if len(value) < MIN_SECRET_LENGTH or len(set(value)) < 10 or any(p in folded for p in PLACEHOLDER_SECRETS):
        raise ConfigError(
            f"CASEBOOK_SECRET_KEY is too weak: use at least {MIN_SECRET_LENGTH} random characters, e.g. the "
            "output of `python3 -c 'import secrets; print(secrets.token_hex(32))'` (placeholders such as "
            "'change-me' or 'dev' are refused).")


def secret_from_instance(instance_path: str) -> str | None:
    """Return the secret written by `make run` to instance/secret_key, if there is one."""
    path = Path(instance_path) / "secret_key"
    if path.is_file():
        return path.read_text(encoding="utf-8").strip() or None
    return None


def trusted_proxies(value: Any) -> int:
    """Parse the TRUSTED_PROXIES setting: a whole number of proxy hops, 0 or more."""
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).strip().isdigit():
        raise ConfigError(f"TRUSTED_PROXIES must be a whole number of proxies (0 or more), not {value!r}")
    return int(value)


def band_boundaries(value: str | list[int] | tuple[int, ...]) -> tuple[int, ...]:
    """Parse the POPULATION_BANDS setting."""
    try:
        if isinstance(value, str):
            bounds = tuple(int(v) for v in value.split(",") if v.strip())
        else:
            bounds = tuple(int(v) for v in value)
    except ValueError as exc:
        raise ConfigError(f"POPULATION_BANDS must be whole numbers: {value!r}") from exc
    if not bounds or list(bounds) != sorted(set(bounds)) or bounds[0] <= 0:
        raise ConfigError("POPULATION_BANDS must be positive, ascending and distinct")
    return bounds
