"""Building meetings for tests through the real services, with names from seed 000."""
from datetime import datetime

from portal.accounts.models import OrgKind
from portal.meetings import services
from tests import factories

PAST = datetime(2025, 8, 12, 10, 0)      # the first session of seed 000, Tehran time
FUTURE = datetime(2031, 3, 10, 9, 30)


class Cast:
    """The people around one meeting: the bank, a union and the ministry."""

    def __init__(self):
        self.bank = factories.bank()
        self.union = factories.make_org(OrgKind.NATIONAL_UNION)
        self.ministry = factories.make_org(OrgKind.MINISTRY)
        self.director = factories.make_user("union_director", self.union)
        # the manager works at a branch of this bank: the meeting is in the bank's network
        self.branch = factories.make_org(OrgKind.SPECIALISED_BRANCH, parent=self.bank)
        self.recorder = factories.make_user("relationship_manager", self.branch,
                                            full_name="مریم احمدی")
        self.recorder.portfolio = [self.union]  # the union speaks through its manager
        factories.db.session.commit()
        self.official = factories.make_user("ministry_official", self.ministry)


def plan(cast, *, kind="consultation_session", starts=PAST, hours=2, series=None,
         confidential=False, timezone="Asia/Tehran", title="نشست هم‌اندیشی اول", invite=True,
         recorder=None):
    from datetime import timedelta

    meeting = services.plan_meeting(
        recorder or cast.recorder, kind=kind, series=series, title=title, starts_local=starts,
        ends_local=starts + timedelta(hours=hours), timezone=timezone,
        place="بانک توسعه تعاون، تهران", online_link=None, host_organisation=cast.bank,
        chair=None, chair_name="امیرهوشنگ عصارزاده", recorder=recorder or cast.recorder,
        confidential=confidential)
    if invite:
        services.invite(cast.recorder if recorder is None else recorder, meeting,
                        [cast.union, cast.ministry], [cast.official])
    factories.db.session.commit()
    return meeting


def hold(cast, meeting, minutes="<p>The bank presented its specialised branches.</p>"):
    services.mark_held(cast.recorder, meeting)
    if minutes:
        services.save_minutes(cast.recorder, meeting, minutes)
    factories.db.session.commit()
    return meeting


def approve(cast, meeting):
    services.approve_minutes(cast.recorder, meeting)
    factories.db.session.commit()
    return meeting


def sign(cast, meeting, comment="Approved"):
    services.sign_off(cast.official, meeting, comment)
    factories.db.session.commit()
    return meeting
