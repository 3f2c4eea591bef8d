"""Realistic objects for tests, named after the real network in shared/docs/domain.md."""
import itertools

from werkzeug.security import generate_password_hash

from portal.accounts.models import Membership, Organisation, OrgKind, Role, User
from portal.extensions import db

PASSWORD = "correct horse battery staple"
_PASSWORD_HASH = None
_counter = itertools.count(1)

ROLE_HOME_KIND = {
    Role.UNION_DIRECTOR: OrgKind.NATIONAL_UNION,
    Role.RELATIONSHIP_MANAGER: OrgKind.SPECIALISED_BRANCH,
    Role.BRANCH_STAFF: OrgKind.SPECIALISED_BRANCH,
    Role.MINISTRY_OFFICIAL: OrgKind.MINISTRY,
    Role.ADMINISTRATOR: OrgKind.BANK_HEAD_OFFICE,
}
NAMES = {
    OrgKind.BANK_HEAD_OFFICE: "بانک توسعه تعاون",
    OrgKind.SPECIALISED_BRANCH: "شعبه ویژه تعاون تهران",
    OrgKind.MINISTRY: "وزارت تعاون، کار و رفاه اجتماعی",
    OrgKind.NATIONAL_UNION: "اتحادیه سراسری تعاونی‌های فرش دستباف روستایی",
    OrgKind.COOPERATIVE: "تعاونی فرش دستباف روستایی نائین",
    OrgKind.MASS_ORGANISATION: "Hội Liên hiệp Phụ nữ huyện Kim Bảng",
    OrgKind.SAVINGS_GROUP: "Tổ TK&VV số 1 xã Ba Sao",
}


def _hash():
    global _PASSWORD_HASH
    if _PASSWORD_HASH is None:
        _PASSWORD_HASH = generate_password_hash(PASSWORD)
    return _PASSWORD_HASH


def make_org(kind=OrgKind.NATIONAL_UNION, parent=None, name=None, **fields):
    kind = OrgKind(kind)
    n = next(_counter)
    vietnamese = kind in (OrgKind.MASS_ORGANISATION, OrgKind.SAVINGS_GROUP)
    org = Organisation(
        code=fields.pop("code", f"T-{kind.value[:4].upper()}-{n}"),
        name=name or NAMES[kind] + ("" if n == 1 else f" {n}"),
        kind=kind, parent=parent,
        country=fields.pop("country", "VN" if vietnamese else "IR"),
        currency=fields.pop("currency", "VND" if vietnamese else "IRR"),
        **fields,
    )
    db.session.add(org)
    db.session.flush()
    return org


def bank(country="IR"):
    """The country's bank head office, made once: every organisation of the country without a
    parent belongs to its network (a second head office would start a second network)."""
    import sqlalchemy as sa

    found = db.session.scalar(sa.select(Organisation).where(
        Organisation.kind == OrgKind.BANK_HEAD_OFFICE, Organisation.country == country)
        .order_by(Organisation.id).limit(1))
    if found is not None:
        return found
    return make_org(OrgKind.BANK_HEAD_OFFICE, country=country,
                    currency={"IR": "IRR", "VN": "VND", "TH": "THB"}.get(country, "IRR"),
                    **({} if country == "IR" else {"name": f"Bank {country}"}))


def make_user(role, organisation=None, **fields):
    role = Role(role)
    n = next(_counter)
    if organisation is None and role == Role.ADMINISTRATOR:
        organisation = bank()
    organisation = organisation or make_org(ROLE_HOME_KIND[role])
    user = User(
        email=fields.pop("email", f"{role.value}{n}@portal.test"),
        full_name=fields.pop("full_name", f"{role.label} {n}"),
        password_hash=fields.pop("password_hash", _hash()),
        **fields,
    )
    user.memberships.append(Membership(organisation=organisation, role=role))
    db.session.add(user)
    db.session.commit()
    return user


def multipart(fields, files):
    """A multipart/form-data body built by hand: werkzeug's test builder spools large bodies
    to a temporary file it never closes, which fails the run with a ResourceWarning.

    Returns (body, content_type) for client.post(data=body, content_type=content_type).
    """
    boundary = "portal-test-boundary"
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f"{value}\r\n".encode())
    for name, (filename, content) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                     f'filename="{filename}"\r\n\r\n'.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"
