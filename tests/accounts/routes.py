"""Who gets what from the sign-in, second-factor and audit-log routes (checked by
tests/test_route_roles.py; the older accounts routes are declared there)."""
from tests.test_route_roles import ANON, SIGNED_IN, admin_only, everyone

AUDIT_READERS = {ANON: 302} | {role: 403 for role in SIGNED_IN} | {
    "administrator": 200, "ministry_official": 200}

ROUTES = {
    # half signed in or not at all: nothing pending sends everyone back to sign in
    "auth.second_factor": ("GET", "/login/code", everyone(302, anon=302), None),
    "auth.request_link": ("GET", "/login/link", everyone(302, anon=200), None),
    "auth.use_link": ("GET", "/login/link/forged", everyone(200, anon=200), None),
    "auth.confirm_email": ("GET", "/account/email/forged", everyone(200, anon=200), None),
    "auth.confirm_identity": ("GET", "/account/confirm", everyone(200), None),
    "auth.two_factor": ("GET", "/account/two-factor", everyone(200), None),
    "auth.renew_recovery_codes": ("POST", "/account/two-factor/recovery-codes",
                                  everyone(403), None),
    "auth.remove_two_factor": ("POST", "/account/two-factor/remove", everyone(403), None),
    # passkeys: JSON for passkeys.js; nothing pending at the second step is a 401 for all
    "auth.passkey_sign_in_options": ("POST", "/login/passkey/options",
                                     everyone(401, anon=401), None),
    "auth.passkey_sign_in": ("POST", "/login/passkey", everyone(401, anon=401), None),
    "auth.passkey_options": ("POST", "/account/passkeys/options", everyone(200), None),
    "auth.add_passkey": ("POST", "/account/passkeys", everyone(400), None),  # no JSON
    # only the person's own keys: anyone else's id (or none) is not found
    "auth.remove_passkey": ("POST", "/account/passkeys/999999/remove", everyone(404), None),
    "users.reset_two_factor": ("POST", "/admin/users/{victim}/two-factor/reset",
                               admin_only(302), None),
    "audit.index": ("GET", "/audit/", AUDIT_READERS, None),
    "audit.export": ("GET", "/audit/export.csv", AUDIT_READERS, None),
}


def world():
    return {}
