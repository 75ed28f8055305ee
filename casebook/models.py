"""Database tables: cases, their participants and effects, and the theme vocabulary."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Integer, LargeBinary, Numeric, Text, UniqueConstraint
from sqlmodel import Field, Relationship, SQLModel


def utcnow() -> datetime:
    """Aware UTC now (SQLModel stores aware datetimes and reads them back in UTC)."""
    return datetime.now(UTC)


class Theme(SQLModel, table=True):
    """A theme of the controlled vocabulary (窓口業務の民間委託, 自治体クラウド…)."""

    code: str = Field(primary_key=True, max_length=40)
    label: str = Field(max_length=100)
    position: int = 0


class Case(SQLModel, table=True):
    """One advanced practice of one or more governments."""

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=100, unique=True, index=True)
    title: str = Field(max_length=200)
    summary: str = Field(default="", sa_type=Text)
    background: str = Field(default="", sa_type=Text)
    approach: str = Field(default="", sa_type=Text)
    outcome: str = Field(default="", sa_type=Text)
    themes: list[str] = Field(default_factory=list, sa_type=JSON)
    tags: list[str] = Field(default_factory=list, sa_type=JSON)
    start_fiscal_year: int | None = None
    detail: str = Field(default="full", max_length=20)
    event_name: str = Field(default="", max_length=300)
    event_date: str | None = Field(default=None, max_length=10)  # 2017-10-02, 2017-10 or 2017 (domain/dates.py)
    contact: str = Field(default="", sa_type=Text)
    status: str = Field(default="draft", max_length=20, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    version: int = 1

    participants: list["Participant"] = Relationship(
        back_populates="case",
        sa_relationship_kwargs={"order_by": "Participant.position", "cascade": "all, delete-orphan"},
    )
    effects: list["Effect"] = Relationship(
        back_populates="case",
        sa_relationship_kwargs={"order_by": "Effect.position", "cascade": "all, delete-orphan"},
    )
    sources: list["CaseSource"] = Relationship(
        back_populates="case",
        sa_relationship_kwargs={"order_by": "CaseSource.position", "cascade": "all, delete-orphan"},
    )


class CaseSource(SQLModel, table=True):
    """Where the facts of a case come from, in order (the first is its main source)."""

    __table_args__ = (UniqueConstraint("case_id", "position", name="uq_casesource_case_position"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(sa_column=Column(Integer, ForeignKey("case.id", ondelete="CASCADE"), index=True))
    position: int = 0
    title: str = Field(default="", max_length=300)
    publisher: str = Field(default="", max_length=200)
    date: str | None = Field(default=None, max_length=10)  # 2018-10-02, 2018-10 or 2018 (domain/dates.py)
    url: str = Field(default="", max_length=500)

    case: Optional["Case"] = Relationship(back_populates="sources")


class Participant(SQLModel, table=True):
    """A government or joint body taking part in a case, in order."""

    # One row per place: two racing saves cannot both add their rows to one case.
    __table_args__ = (UniqueConstraint("case_id", "position", name="uq_participant_case_position"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(sa_column=Column(Integer, ForeignKey("case.id", ondelete="CASCADE"), index=True))
    position: int = 0
    role: str = Field(default="member", max_length=20)
    code: str | None = Field(default=None, max_length=6)
    name: str = Field(max_length=100)
    prefecture: str | None = Field(default=None, max_length=10)
    kind: str = Field(max_length=30)
    population: int | None = None
    population_year: int | None = None
    population_source: str = Field(default="", max_length=300)
    covers: str | None = Field(default=None, max_length=30)  # "all_municipalities": stands for every municipality of its prefecture

    case: Optional["Case"] = Relationship(back_populates="participants")


class Effect(SQLModel, table=True):
    """A typed, comparable result of a case (232億円 of update costs avoided…)."""

    __table_args__ = (UniqueConstraint("case_id", "position", name="uq_effect_case_position"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(sa_column=Column(Integer, ForeignKey("case.id", ondelete="CASCADE"), index=True))
    position: int = 0
    kind: str = Field(max_length=20)
    direction: str = Field(default="reduction", max_length=20)
    label: str = Field(max_length=200)
    amount: str = Field(default="", max_length=100)
    value_low: Decimal | None = Field(default=None, sa_column=Column(Numeric(24, 6), nullable=True))
    value_high: Decimal | None = Field(default=None, sa_column=Column(Numeric(24, 6), nullable=True))
    unit: str = Field(default="", max_length=30)
    qualifier: str = Field(default="", max_length=10)
    yen: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    period: str = Field(default="unknown", max_length=20)  # "unknown" when the source does not say
    status: str = Field(default="achieved", max_length=20)
    wording: str = Field(default="", sa_type=Text)
    # Whether the figure grows with population, so a 試算 for another government makes sense:
    # None = decided from kind, unit and period (domain.amounts); True/False = a curator's choice.
    scales: bool | None = Field(default=None, nullable=True)

    case: Optional["Case"] = Relationship(back_populates="effects")


class Municipality(SQLModel, table=True):
    """A prefecture or municipality of the master list (全国地方公共団体コード and census population)."""

    code: str = Field(primary_key=True, max_length=6)
    prefecture: str = Field(max_length=10, index=True)
    name: str = Field(max_length=100, index=True)
    kana: str = Field(max_length=200, index=True)
    population: int
    population_year: int
    source: str = Field(default="", max_length=300)
    kind: str = Field(max_length=30)
    region: str = Field(max_length=20)


class MasterInfo(SQLModel, table=True):
    """Facts about the imported municipality master: its credit line, file and import time."""

    key: str = Field(primary_key=True, max_length=40)
    value: str = Field(default="", sa_type=Text)


class User(SQLModel, table=True):
    """A curator or editor. Passwords are stored as scrypt hashes only."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    name: str = Field(default="", max_length=100)
    role: str = Field(default="curator", max_length=20)
    password_hash: str = Field(max_length=300)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    # Sessions carry the generation they were signed in with; raising it ends them all (auth.py).
    session_generation: int = 1

    # Flask-Login's interface
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    @property
    def is_editor(self) -> bool:
        return self.role == "editor"

    def may(self, role: str) -> bool:
        """True when this account is active and has `role` (editors may do everything curators may)."""
        return self.active and (role == "curator" or self.role == "editor")


class LoginAttempt(SQLModel, table=True):
    """One sign-in attempt, kept to slow down and refuse repeated failures."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    address: str = Field(max_length=64, index=True)
    success: bool = False
    at: datetime = Field(default_factory=utcnow, index=True)


class RateCounter(SQLModel, table=True):
    """A request count of one client in one fixed window (ratelimit_store.py), shared by every worker."""

    key: str = Field(primary_key=True, max_length=200)
    count: int = 0
    expires_at: float = Field(index=True)  # seconds since the epoch


class Revision(SQLModel, table=True):
    """The full content of a case as saved at one version, with who, when and why."""

    # A version is saved once: the database refuses a second revision with the same number.
    __table_args__ = (UniqueConstraint("case_id", "number", name="uq_revision_case_number"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(sa_column=Column(Integer, ForeignKey("case.id", ondelete="CASCADE"), index=True))
    number: int
    status: str = Field(max_length=20)
    action: str = Field(max_length=20)
    comment: str = Field(default="", sa_type=Text)
    author_id: int | None = Field(default=None, foreign_key="user.id")
    author_label: str = Field(default="", max_length=254)
    created_at: datetime = Field(default_factory=utcnow)
    content: dict = Field(default_factory=dict, sa_type=JSON)


class CaseChange(SQLModel, table=True):
    """One committed change to a case, numbered in commit order: search indexes apply them in turn."""

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=100)
    at: datetime = Field(default_factory=utcnow)


class AuditEntry(SQLModel, table=True):
    """A sign-in, failed sign-in or state change, for editors to review."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id")
    actor: str = Field(default="", max_length=254)
    address: str = Field(default="", max_length=64)
    action: str = Field(max_length=40, index=True)
    target: str = Field(default="", max_length=200)
    detail: str = Field(default="", sa_type=Text)


class ApiToken(SQLModel, table=True):
    """A personal API token: shown once, stored as a SHA-256 hash, revocable."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    name: str = Field(default="", max_length=100)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    prefix: str = Field(max_length=12)
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class PendingImport(SQLModel, table=True):
    """An uploaded file between its dry run and its commit (kept a day at most)."""

    id: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="user.id")
    filename: str = Field(max_length=255)
    data: bytes = Field(sa_type=LargeBinary)
    created_at: datetime = Field(default_factory=utcnow)


class ThesaurusEntry(SQLModel, table=True):
    """An editor's change to the search thesaurus, over the reviewed file shipped with casebook.

    Without `replaces`: a line the editors added, a family of equivalent words (kind "=") or a
    narrower word with its broader ones (">"). With `replaces` (the shipped line's ref, see
    search/thesaurus.py): that shipped line as the editors changed it, or removed when `words`
    is empty. `words` are tab-separated, as written.
    """

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(default="=", max_length=1)
    words: str = Field(default="", sa_type=Text)
    replaces: str | None = Field(default=None, max_length=40, unique=True)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: str = Field(default="", max_length=254)


class ThesaurusVersion(SQLModel, table=True):
    """One row counting the thesaurus changes: every process reloads the thesaurus when it moves."""

    id: int = Field(default=1, primary_key=True)
    version: int = 0


class Inquiry(SQLModel, table=True):
    """A question about a case to the secretariat (services/inquiries.py), never shown as sent.

    status: new → forwarded → answered → closed, or spam. `unsent` names the message to the
    asker that the mail server has not accepted yet ("receipt" or "answer"; "" when none), so a
    failure is visible and retried. Only an answered question whose asker consented
    (`consent_to_publish`) can be `published` on its case, as `public_question` and `answer`.
    Personal data is removed `INQUIRY_RETENTION_DAYS` after `closed_at` (casebook inquiries purge).
    """

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(sa_column=Column(Integer, ForeignKey("case.id", ondelete="CASCADE"), index=True))
    name: str = Field(default="", max_length=100)
    organisation: str = Field(default="", max_length=200)
    email: str = Field(default="", max_length=254)
    question: str = Field(default="", sa_type=Text)
    consent_to_publish: bool = False
    status: str = Field(default="new", max_length=20, index=True)
    unsent: str = Field(default="", max_length=20)
    forwarded_to: str = Field(default="", max_length=254)
    forwarded_at: datetime | None = None
    answer: str = Field(default="", sa_type=Text)
    answered_at: datetime | None = None
    public_question: str = Field(default="", sa_type=Text)
    published: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None


class AlertSubscription(SQLModel, table=True):
    """An e-mail alert for one search (services/alerts.py): pending until its address confirms it.

    `params` is the search's canonical query string (q and facet values, sorted; no page, size or
    sort). Only hashes of the links' tokens are kept: the confirmation token is random and sent
    once; the manage token is derived from SECRET_KEY and `manage_nonce`, so every digest can carry
    it. `watermark_at` is the newest case change a digest included (or the confirmation time);
    `last_period` the day or week of the last digest the server accepted; `claimed_until` keeps two
    runs of `casebook alerts send` from sending the same digest. The row, and with it the address,
    is deleted when the subscriber unsubscribes, or after a week when it was never confirmed.
    """

    __table_args__ = (UniqueConstraint("email", "search_key", name="uq_alert_email_search"),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    params: str = Field(default="", sa_type=Text)
    search_key: str = Field(max_length=64)
    frequency: str = Field(default="daily", max_length=10)
    confirm_hash: str | None = Field(default=None, max_length=64, unique=True)
    manage_hash: str = Field(max_length=64, unique=True)
    manage_nonce: str = Field(max_length=32)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    mailed_at: datetime | None = None
    confirmed_at: datetime | None = None
    watermark_at: datetime | None = None
    last_period: str = Field(default="", max_length=12)
    last_sent_at: datetime | None = None
    claimed_until: datetime | None = None
