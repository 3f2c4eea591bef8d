"""Organisations in a tree, users, their roles (memberships) and managers' portfolios."""
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.models import (
    LabelledEnum,
    TimestampMixin,
    VersionedMixin,
    enum_column,
    link_table,
    utcnow,
)
from portal.core.notify import Notification
from portal.core.search import SearchableMixin
from portal.extensions import db


class OrgKind(LabelledEnum):
    BANK_HEAD_OFFICE = "bank_head_office", _l("Bank head office")
    SPECIALISED_BRANCH = "specialised_branch", _l("Specialised branch")
    MINISTRY = "ministry", _l("Ministry")
    NATIONAL_UNION = "national_union", _l("National union")
    COOPERATIVE = "cooperative", _l("Cooperative")
    MASS_ORGANISATION = "mass_organisation", _l("Mass organisation")
    SAVINGS_GROUP = "savings_group", _l("Savings-and-loan group")


BANK_KINDS = {OrgKind.BANK_HEAD_OFFICE, OrgKind.SPECIALISED_BRANCH}


class Sector(LabelledEnum):
    """The economic sector an organisation works in (Iran's cooperative law groups unions this
    way; the ministry asks for products fitted to each sector). Products name the sectors they
    serve with the same values."""

    AGRICULTURE = "agriculture", _l("Agriculture")
    HANDICRAFTS = "handicrafts", _l("Handicrafts")
    HOUSING = "housing", _l("Housing")
    CONSUMER = "consumer", _l("Consumer cooperatives")
    TRANSPORT = "transport", _l("Transport")
    INDUSTRY = "industry", _l("Industry and mining")
    SERVICES = "services", _l("Services")
    HOUSEHOLDS = "households", _l("Poor and near-poor households")


class Role(LabelledEnum):
    UNION_DIRECTOR = "union_director", _l("Union director")
    RELATIONSHIP_MANAGER = "relationship_manager", _l("Relationship manager")
    BRANCH_STAFF = "branch_staff", _l("Branch staff")
    MINISTRY_OFFICIAL = "ministry_official", _l("Ministry official")
    ADMINISTRATOR = "administrator", _l("Administrator")


portfolio_entry = link_table("portfolio_entry", ("manager_id", "user"),
                             ("organisation_id", "organisation"))

# An organisation's code, whether typed in the form or imported from a file: it names files
# (exports) and appears in addresses, so it holds no quotes, spaces or separators.
# (\Z, not $: "$" lets a trailing line break through)
ORGANISATION_CODE = r"^[A-Za-z0-9][A-Za-z0-9._-]*\Z"
ORGANISATION_CODE_MAX = 40


class Organisation(SearchableMixin, TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(40), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    name_en: Mapped[str | None] = mapped_column(sa.String(200))
    kind: Mapped[OrgKind] = mapped_column(enum_column(OrgKind), nullable=False, index=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    country: Mapped[str] = mapped_column(sa.String(2), nullable=False)
    province: Mapped[str | None] = mapped_column(sa.String(120))
    district: Mapped[str | None] = mapped_column(sa.String(120))
    commune: Mapped[str | None] = mapped_column(sa.String(120))
    currency: Mapped[str] = mapped_column(sa.String(3), nullable=False)
    # left empty on a cooperative that works in its union's sector: it inherits the parent's
    sector: Mapped[Sector | None] = mapped_column(enum_column(Sector), nullable=True)
    is_active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    # The bank head office whose network this organisation belongs to (a head office: itself).
    # Filled in when the organisation is written (assign_networks below); never typed.
    network_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisation.id", name="fk_organisation_network_id_organisation"),
        index=True)
    # name, English name and code folded for search (Persian variants, accents, case)
    search_key: Mapped[str] = mapped_column(sa.String(500), nullable=False, default="",
                                            index=True)

    parent = relationship("Organisation", remote_side=[id], back_populates="children",
                          foreign_keys=[parent_id])
    network = relationship("Organisation", remote_side=[id], foreign_keys=[network_id],
                           viewonly=True)
    children = relationship("Organisation", back_populates="parent",
                            order_by="Organisation.name", foreign_keys=[parent_id])

    __searchable__ = ("name", "name_en", "code", "province", "district", "commune")

    @property
    def display_name(self):
        return self.name

    @property
    def is_bank(self):
        return self.kind in BANK_KINDS

    def ancestors(self):
        node, seen = self.parent, []
        while node is not None and node not in seen:
            seen.append(node)
            node = node.parent
        return list(reversed(seen))

    def __repr__(self):
        return f"<Organisation {self.code}>"


class Membership(TimestampMixin, db.Model):
    __tablename__ = "membership"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"),
                                         nullable=False, index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"),
                                                 nullable=False, index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role), nullable=False)

    user = relationship("User", back_populates="memberships")
    # joined: every signed-in request reads the user's memberships and their organisations
    organisation = relationship("Organisation", lazy="joined")

    __table_args__ = (sa.UniqueConstraint("user_id", "organisation_id", "role",
                                          name="uq_membership_user_org_role"),)


class User(SearchableMixin, UserMixin, TimestampMixin, VersionedMixin, db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True, nullable=False)
    full_name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    password_hash: Mapped[str | None] = mapped_column(sa.String(300))
    is_active: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    preferred_locale: Mapped[str | None] = mapped_column(sa.String(5))
    timezone: Mapped[str | None] = mapped_column(sa.String(64))
    calendar: Mapped[str | None] = mapped_column(sa.String(16))
    persian_digits: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    email_notifications: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    # Bumped on logout, password change and deactivation: every older session cookie dies.
    session_version: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)
    # Bumped when an invitation is sent or used: only the latest link works, and only once.
    invitation_nonce: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    # last_login_at and totp_last_step: bookkeeping a sign-in writes and no kept page shows.
    # Deferred, so that loading people for their names does not read them, and a sign-in
    # ends no page that names people (core/versions.QUIET_COLUMNS).
    last_login_at: Mapped[datetime | None] = mapped_column(sa.DateTime, deferred=True,
                                                           deferred_group="sign_in")
    # The authenticator app's shared secret (base32). Set while enrolling; the second factor is
    # on only once a code has confirmed it (two_factor_since). last_step: the newest 30-second
    # step a code was accepted for, so a code seen over someone's shoulder cannot be used again.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    two_factor_since: Mapped[datetime | None] = mapped_column(sa.DateTime)
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger, deferred=True,
                                                       deferred_group="sign_in")
    # Bumped when a sign-in link is sent or used: only the latest link works, and only once.
    signin_link_nonce: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0,
                                                   server_default="0")
    search_key: Mapped[str] = mapped_column(sa.String(500), nullable=False, default="",
                                            index=True)

    # loaded with the signed-in user (load_session_user); other users load them on demand
    memberships = relationship("Membership", back_populates="user",
                               cascade="all, delete-orphan")
    portfolio = relationship("Organisation", secondary=portfolio_entry,
                             order_by="Organisation.name")
    passkeys = relationship("Passkey", back_populates="user", cascade="all, delete-orphan",
                            order_by="Passkey.created_at")

    def get_id(self):
        return f"{self.id}:{self.session_version}"

    __searchable__ = ("full_name", "email")

    @property
    def roles(self):
        return {m.role for m in self.memberships}

    def has_role(self, *roles):
        return bool(self.roles.intersection(roles))

    def organisations_with(self, *roles):
        return [m.organisation for m in self.memberships if m.role in roles]

    @property
    def organisations(self):
        seen, result = set(), []
        for m in self.memberships:
            if m.organisation_id not in seen:
                seen.add(m.organisation_id)
                result.append(m.organisation)
        return result

    @property
    def invitation_pending(self):
        return self.password_hash is None

    @property
    def has_totp(self):
        """The authenticator app is set up (a code confirmed it)."""
        return self.two_factor_since is not None

    @property
    def has_two_factor(self):
        """An authenticator app, a passkey or security key, or both."""
        return self.has_totp or bool(self.passkeys)

    def __repr__(self):
        return f"<User {self.email}>"


# How many of the person's notifications are unread: the badge of every page's header. Loaded
# in the statement that loads the signed-in person (accounts.services.load_session_user), so
# the badge costs no statement, no round trip and no memo of its own; deferred for everyone else.
User.unread_notifications = sa.orm.column_property(
    sa.select(sa.func.count()).where(Notification.user_id == User.id,
                                     Notification.read_at.is_(None))
    .correlate_except(Notification).scalar_subquery(), deferred=True)


class Passkey(db.Model):
    """A passkey or security key (WebAuthn credential) a person registered as a second factor.

    Only the public key is kept. sign_count is the authenticator's counter at the last use: a
    lower or equal one later means a cloned key or a replayed assertion, and is refused.
    """

    __tablename__ = "passkey"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"),
                                         nullable=False, index=True)
    credential_id: Mapped[bytes] = mapped_column(sa.LargeBinary(1023), nullable=False,
                                                 unique=True)
    public_key: Mapped[bytes] = mapped_column(sa.LargeBinary, nullable=False)
    sign_count: Mapped[int] = mapped_column(sa.BigInteger, nullable=False, default=0)
    name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, nullable=False)
    last_used_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    user = relationship("User", back_populates="passkeys")


class RecoveryCode(db.Model):
    """A single-use code for when the authenticator is lost; only its hash is kept."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"),
                                         nullable=False, index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    used_at: Mapped[datetime | None] = mapped_column(sa.DateTime)


class SignInThrottle(db.Model):
    """Failed attempts against one account or from one address, and when the next attempt
    may come. Kept in the database so every web process sees the same count."""

    __tablename__ = "sign_in_throttle"

    key: Mapped[str] = mapped_column(sa.String(320), primary_key=True)
    failures: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    wait_until: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # when the owner was last told by e-mail, so a long attack sends few messages
    owner_told_at: Mapped[datetime | None] = mapped_column(sa.DateTime)


# --- networks ---------------------------------------------------------------------------------
#
# Every organisation belongs to one bank's network: the bank's head office and everything under
# it, the organisations it serves and the ministry that oversees it. The network is worked out
# when an organisation is written, so that no form, import or demo has to remember it: a head
# office is its own network; an organisation with a parent is in its parent's; one without a
# parent (a national union, a ministry) is in the network of the bank of its country. A head
# office created after such organisations takes in those of its country that had none.

def _country_head_office(connection, country):
    return connection.scalar(
        sa.select(Organisation.id).where(Organisation.kind == OrgKind.BANK_HEAD_OFFICE,
                                         Organisation.country == country)
        .order_by(Organisation.id).limit(1))


def _network_for(connection, org, seen=()):
    if org.kind == OrgKind.BANK_HEAD_OFFICE:
        return org.id
    parent = org.parent
    if parent is None and org.parent_id is not None:
        parent = db.session.get(Organisation, org.parent_id)
    if parent is not None and parent not in seen:
        return parent.network_id or _network_for(connection, parent, (*seen, org))
    return _country_head_office(connection, org.country)


def _set_network(connection, org, network_id):
    """This organisation and everything below it move to the network."""
    from sqlalchemy.orm.attributes import set_committed_value

    table = Organisation.__table__
    tree = sa.select(table.c.id).where(table.c.id == org.id).cte("moved", recursive=True)
    tree = tree.union(sa.select(table.c.id).join(tree, table.c.parent_id == tree.c.id))
    connection.execute(sa.update(table).where(table.c.id.in_(sa.select(tree.c.id)),
                                              table.c.kind != OrgKind.BANK_HEAD_OFFICE.value)
                       .values(network_id=network_id))
    if org.kind == OrgKind.BANK_HEAD_OFFICE:
        connection.execute(sa.update(table).where(table.c.id == org.id)
                           .values(network_id=network_id))
    set_committed_value(org, "network_id", network_id)


@sa.event.listens_for(sa.orm.Session, "after_flush")
def assign_networks(session, _context):
    """Give new organisations, and those that moved, the network they belong to."""
    changed = [o for o in list(session.new) + list(session.dirty)
               if isinstance(o, Organisation) and o.id is not None and (
                   o.network_id is None or sa.inspect(o).attrs.parent_id.history.has_changes()
                   or sa.inspect(o).attrs.parent.history.has_changes())]
    if not changed:
        return
    connection = session.connection()
    for org in sorted(changed, key=lambda o: o.kind != OrgKind.BANK_HEAD_OFFICE):
        network_id = _network_for(connection, org)
        if network_id != org.network_id:
            _set_network(connection, org, network_id)
        if org.kind == OrgKind.BANK_HEAD_OFFICE:
            # organisations of its country that were waiting for a bank join its network
            connection.execute(sa.update(Organisation.__table__).where(
                Organisation.__table__.c.network_id.is_(None),
                Organisation.__table__.c.country == org.country).values(network_id=org.id))
            for other in session.identity_map.values():
                if isinstance(other, Organisation) and other.network_id is None \
                        and other.country == org.country:
                    from sqlalchemy.orm.attributes import set_committed_value

                    set_committed_value(other, "network_id", org.id)
