"""The Party's organisation: a tree of committees ending at cells, memberships, oversight."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from auth.models import User
from core.extensions import db
from core.timeutil import UTCDateTime, utcnow
from domain.rules import MemberFacts, PartyStatus, category


class OrgKind(StrEnum):
    PROVINCE = "province"  # Đảng bộ tỉnh
    DISTRICT = "district"  # Đảng bộ huyện / thành phố
    GRASSROOTS = "grassroots"  # Đảng bộ cơ sở
    CELL = "cell"  # Chi bộ


class CellRole(StrEnum):
    SECRETARY = "secretary"  # bí thư
    DEPUTY = "deputy"  # phó bí thư
    COMMITTEE = "committee"  # chi ủy viên
    MEMBER = "member"


class Organization(db.Model):
    """A node of the committee tree; `kind == cell` is a chi bộ, which holds meetings."""

    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    place: Mapped[str | None] = mapped_column(String(200))  # for the minutes' date line
    video_url: Mapped[str | None] = mapped_column(String(500))  # the cell's usual video room
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parent: Mapped[Organization | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Organization]] = relationship(back_populates="parent")
    memberships: Mapped[list[Membership]] = relationship(back_populates="cell")

    @property
    def is_cell(self) -> bool:
        return self.kind == OrgKind.CELL

    def ancestors(self) -> list[Organization]:
        """Parent first, up to the root."""
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain

    def __repr__(self) -> str:
        return f"<Organization {self.name}>"


class Membership(db.Model):
    """A user's membership of a cell, with the facts the rules count."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "cell_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    cell_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    party_status: Mapped[str] = mapped_column(String(20), default=PartyStatus.OFFICIAL)
    cell_role: Mapped[str] = mapped_column(String(20), default=CellRole.MEMBER)
    is_exempted: Mapped[bool] = mapped_column(default=False)  # miễn sinh hoạt
    is_hosted: Mapped[bool] = mapped_column(default=False)  # sinh hoạt tạm thời
    is_transferred_out: Mapped[bool] = mapped_column(default=False)  # tạm chuyển đi
    is_suspended: Mapped[bool] = mapped_column(default=False)  # đình chỉ / bị truy tố
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
    cell: Mapped[Organization] = relationship(back_populates="memberships")

    @property
    def leads_cell(self) -> bool:
        return self.cell_role in (CellRole.SECRETARY, CellRole.DEPUTY)

    @property
    def category(self) -> str:
        """The member's reporting category (domain.rules.category), attendance aside."""
        return category(self.facts())

    def facts(self, attendance=None) -> MemberFacts:
        kwargs = {} if attendance is None else {"attendance": attendance}
        return MemberFacts(
            party_status=PartyStatus(self.party_status),
            exempted=self.is_exempted,
            hosted=self.is_hosted,
            transferred_out=self.is_transferred_out,
            suspended=self.is_suspended,
            **kwargs,
        )


class Oversight(db.Model):
    """A leader of a committee, who may observe every cell below it (cấp ủy viên cấp trên)."""

    __tablename__ = "oversights"
    __table_args__ = (UniqueConstraint("user_id", "organization_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    office: Mapped[str] = mapped_column(String(200))  # e.g. "Ủy viên Ban Thường vụ Tỉnh ủy"

    user: Mapped[User] = relationship()
    organization: Mapped[Organization] = relationship()


class CellSettings(db.Model):
    """Per-cell settings. ``vote_rules`` overrides the defaults of domain.rules.DEFAULT_RULES
    (org.vote_rules reads and writes it).

    JSON shape (every key optional)::

        {"thresholds": {"resolution": {"majority": "at_least_two_thirds", "denominator": "base"}},
         "allowed_methods": {"resolution": ["show_of_hands"]},
         "default_methods": {"admission": "show_of_hands"},
         "discipline_thresholds": {"warning": {"majority": "...", "denominator": "..."}}}
    """

    __tablename__ = "cell_settings"

    cell_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    vote_rules: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
