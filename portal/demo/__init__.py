"""Demo data built from the real names and figures in shared/docs/domain.md.

seed() is idempotent: every row is looked up by its natural key (code, e-mail) first, so running
it twice changes nothing. Each area adds its own demo data in portal/<area>/demo.py with a
`seed(by_code)` function (by_code: the demo organisations by code), run in AREAS order.
"""
import secrets
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import generate_password_hash

from portal.accounts.models import Membership, Organisation, OrgKind, Role, Sector, User
from portal.demo import data
from portal.extensions import db


def demo_password():
    """One password for every demo account, generated once and kept in instance/."""
    path = Path(current_app.instance_path) / "demo_password"
    if path.exists():
        return path.read_text().strip()
    password = "demo-" + secrets.token_urlsafe(9)
    path.write_text(password)
    path.chmod(0o600)
    return password


def _organisation(code, name, name_en, kind, parent, country, currency, province=None,
                  district=None, commune=None):
    org = db.session.scalar(sa.select(Organisation).where(Organisation.code == code))
    if org is None:
        org = Organisation(code=code)
        db.session.add(org)
        org.name, org.name_en, org.kind, org.parent = name, name_en, kind, parent
        org.country, org.currency = country, currency
        org.province, org.district, org.commune = province, district, commune
    return org


def seed_organisations():
    by_code = {}
    for row in data.ORGANISATIONS:
        code, name, name_en, kind, parent_code, country, currency, *place = row
        by_code[code] = _organisation(code, name, name_en, OrgKind(kind),
                                      by_code.get(parent_code), country, currency, *place)
        if code in data.SECTORS and by_code[code].sector is None:
            by_code[code].sector = Sector(data.SECTORS[code])
    for commune_no, commune in enumerate(data.KIM_BANG_COMMUNES):
        for group_no in range(data.groups_in_commune(commune_no)):
            union = data.MASS_ORGANISATIONS[(commune_no + group_no) % 4]
            code = f"VN-KB-G{commune_no + 1:02d}{group_no + 1:02d}"
            _organisation(code, f"Tổ TK&VV số {group_no + 1} xã {commune}",
                          f"Savings-and-loan group {group_no + 1}, {commune}",
                          OrgKind.SAVINGS_GROUP, by_code[union[0]], "VN", "VND",
                          "Hà Nam", "Kim Bảng", commune)
    db.session.flush()
    return by_code


def _user(email, full_name, locale, password_hash, memberships, by_code):
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        user = User(email=email, full_name=full_name, preferred_locale=locale,
                    password_hash=password_hash)
        db.session.add(user)
        for code, role in memberships:
            user.memberships.append(Membership(organisation=by_code[code], role=Role(role)))
    return user


def seed_users(by_code):
    password = demo_password()
    password_hash = generate_password_hash(password)
    credentials = []
    for email, full_name, locale, memberships, portfolio in data.USERS:
        user = _user(email, full_name, locale, password_hash, memberships, by_code)
        if portfolio and not user.portfolio:
            user.portfolio = [by_code[c] for c in portfolio]
        credentials.append((memberships[0][1], email, password))
    db.session.flush()
    return credentials


def seed():
    """Load every area's demo data. Returns [(role, e-mail, password)] to print."""
    by_code = seed_organisations()
    credentials = seed_users(by_code)
    from portal import area_modules

    # services build links with url_for; outside a request they need one to lean on
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
        for module in area_modules("demo"):
            module.seed(by_code)
    db.session.flush()
    return credentials
