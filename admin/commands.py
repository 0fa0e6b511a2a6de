"""The administrator's writes, through the command path: accounts and the committee tree (site
commands, `meetings.commands.run_site`), memberships and oversight (organisation commands,
`run_org`).
Each is authorized by the permission table, logged, committed once; a person's sockets are
closed after the commit (rooms are joined with the roles of the moment, so they rejoin fresh).
The rules themselves stay in `org.accounts`, `org.tree`, `org.memberships`, `org.member_import`
and `org.oversights`.

A generated password goes back to the caller in `shown_once`, never into the log: an account's
log row holds its payload without the password, an import's its counts (not the file)."""

from __future__ import annotations

from pydantic import Field, StrictBool, StrictBytes, StrictInt, StrictStr

from auth.models import User
from auth.sessions import disconnect_sockets
from core.extensions import db
from meetings.commands import Effect, OrgContext, Payload, SiteContext, org_command, site_command
from meetings.errors import NotFound
from org import accounts, member_import, memberships, oversights, tree
from org.memberships import MemberFlags
from org.models import Membership, Organization, Oversight


class Flags(Payload):
    party_status: StrictStr = "official"
    cell_role: StrictStr = "member"
    exempted: StrictBool = False
    hosted: StrictBool = False
    transferred_out: StrictBool = False
    suspended: StrictBool = False

    def flags(self) -> MemberFlags:
        return MemberFlags(
            party_status=self.party_status,
            cell_role=self.cell_role,
            exempted=self.exempted,
            hosted=self.hosted,
            transferred_out=self.transferred_out,
            suspended=self.suspended,
        )


class AddMembership(Flags):
    user_id: StrictInt


class UpdateMembership(Flags):
    membership_id: StrictInt


class MembershipRef(Payload):
    membership_id: StrictInt


class AddOversight(Payload):
    user_id: StrictInt
    office: StrictStr = Field(max_length=200)


class OversightRef(Payload):
    oversight_id: StrictInt


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(field="user_id")
    return user


def _membership(ctx: OrgContext, membership_id: int) -> Membership:
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.cell_id != ctx.organization.id:
        raise NotFound(field="membership_id")
    return membership


def _closing_sockets(user_id: int) -> list:
    return [lambda: disconnect_sockets(user_id)]


@org_command("add_membership", permission="manage_members", payload=AddMembership)
def add_membership(ctx: OrgContext, payload: AddMembership) -> Effect:
    user = _user(payload.user_id)
    membership = memberships.add_membership(ctx.organization, user, payload.flags())
    return Effect(
        result={"membership_id": membership.id},
        audit=payload.model_dump(),
        after_commit=_closing_sockets(user.id),
    )


@org_command("update_membership", permission="manage_members", payload=UpdateMembership)
def update_membership(ctx: OrgContext, payload: UpdateMembership) -> Effect:
    membership = _membership(ctx, payload.membership_id)
    memberships.update_membership(membership, payload.flags())
    return Effect(
        audit=payload.model_dump() | {"user_id": membership.user_id},
        after_commit=_closing_sockets(membership.user_id),
    )


@org_command("remove_membership", permission="manage_members", payload=MembershipRef)
def remove_membership(ctx: OrgContext, payload: MembershipRef) -> Effect:
    membership = _membership(ctx, payload.membership_id)
    user_id = membership.user_id
    memberships.remove_membership(membership)
    return Effect(
        audit={"membership_id": payload.membership_id, "user_id": user_id},
        after_commit=_closing_sockets(user_id),
    )


@org_command("add_oversight", permission="manage_oversight", payload=AddOversight)
def add_oversight(ctx: OrgContext, payload: AddOversight) -> Effect:
    oversight = oversights.add_oversight(_user(payload.user_id), ctx.organization, payload.office)
    return Effect(result={"oversight_id": oversight.id}, audit=payload.model_dump())


@org_command("remove_oversight", permission="manage_oversight", payload=OversightRef)
def remove_oversight(ctx: OrgContext, payload: OversightRef) -> Effect:
    oversight = db.session.get(Oversight, payload.oversight_id)
    if oversight is None or oversight.organization_id != ctx.organization.id:
        raise NotFound(field="oversight_id")
    user_id = oversight.user_id
    oversights.remove_oversight(oversight)
    return Effect(
        audit={"oversight_id": payload.oversight_id, "user_id": user_id},
        after_commit=_closing_sockets(user_id),
    )


class NewAccount(Payload):
    username: StrictStr = Field(max_length=64)
    full_name: StrictStr = Field(max_length=200)
    password: StrictStr | None = Field(default=None, max_length=256)
    language: StrictStr = "vi"
    is_admin: StrictBool = False


class AccountEdit(Payload):
    user_id: StrictInt
    full_name: StrictStr = Field(max_length=200)
    language: StrictStr
    is_admin: StrictBool


class AccountActive(Payload):
    user_id: StrictInt
    active: StrictBool


class PasswordReset(Payload):
    user_id: StrictInt
    password: StrictStr | None = Field(default=None, max_length=256)


def _password_once(generated: str | None) -> dict:
    return {"password": generated} if generated else {}


@site_command("create_user", permission="manage_accounts", payload=NewAccount)
def create_user(ctx: SiteContext, payload: NewAccount) -> Effect:
    user, generated = accounts.create_user(**payload.model_dump())
    return Effect(
        result={"user_id": user.id},
        audit=payload.model_dump(exclude={"password"}) | {"generated": generated is not None},
        shown_once=_password_once(generated),
    )


@site_command("update_user", permission="manage_accounts", payload=AccountEdit)
def update_user(ctx: SiteContext, payload: AccountEdit) -> Effect:
    user = _user(payload.user_id)
    accounts.update_user(
        user,
        full_name=payload.full_name,
        language=payload.language,
        is_admin=payload.is_admin,
        acting=ctx.actor,
    )
    return Effect(audit=payload.model_dump())


@site_command("set_active", permission="manage_accounts", payload=AccountActive)
def set_active(ctx: SiteContext, payload: AccountActive) -> Effect:
    user = _user(payload.user_id)
    accounts.set_active(user, payload.active, acting=ctx.actor)
    return Effect(
        audit=payload.model_dump(),
        after_commit=[] if payload.active else _closing_sockets(user.id),
    )


@site_command("reset_password", permission="manage_accounts", payload=PasswordReset)
def reset_password(ctx: SiteContext, payload: PasswordReset) -> Effect:
    user = _user(payload.user_id)
    generated = accounts.reset_password(user, payload.password)
    return Effect(
        audit={"user_id": user.id, "generated": generated is not None},
        after_commit=_closing_sockets(user.id),
        shown_once=_password_once(generated),
    )


class OrganizationDetails(Payload):
    name: StrictStr = Field(max_length=200)
    kind: StrictStr
    parent_id: StrictInt | None = None
    place: StrictStr | None = Field(default=None, max_length=200)
    video_url: StrictStr | None = Field(default=None, max_length=500)


class OrganizationEdit(OrganizationDetails):
    organization_id: StrictInt


@site_command("create_organization", permission="manage_tree", payload=OrganizationDetails)
def create_organization(ctx: SiteContext, payload: OrganizationDetails) -> Effect:
    organization = tree.save_organization(None, **payload.model_dump())
    return Effect(result={"organization_id": organization.id}, audit=payload.model_dump())


@site_command("edit_organization", permission="manage_tree", payload=OrganizationEdit)
def edit_organization(ctx: SiteContext, payload: OrganizationEdit) -> Effect:
    organization = db.session.get(Organization, payload.organization_id)
    if organization is None:
        raise NotFound(field="organization_id")
    tree.save_organization(organization, **payload.model_dump(exclude={"organization_id"}))
    return Effect(audit=payload.model_dump())


class MemberList(Payload):
    data: StrictBytes  # the CSV file; its size is checked by the reader (csv_import.MAX_BYTES)


@org_command("import_members", permission="manage_members", payload=MemberList)
def import_members(ctx: OrgContext, payload: MemberList) -> Effect:
    """The whole list in one command: every row written, or none (`RowsRefused`)."""
    outcome = member_import.import_members(ctx.organization, payload.data)
    if outcome.errors:
        raise member_import.RowsRefused(outcome.errors)
    created = sum(1 for member in outcome.imported if member.created)
    counts = {"imported": len(outcome.imported), "created": created}
    return Effect(
        result=counts,
        audit=counts | {"bytes": len(payload.data)},
        shown_once={"members": outcome.imported},
    )
