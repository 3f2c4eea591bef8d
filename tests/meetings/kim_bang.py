"""The Vietnamese network of seeds 001-004 for meeting tests: the social policy bank's Kim Bảng
office, the Women's Union it serves under an entrustment contract, savings-and-loan groups
under the union, and a credit officer whose portfolio holds the union."""
from datetime import datetime, timedelta

from portal.accounts.models import OrgKind
from portal.extensions import db
from portal.meetings import services
from tests import factories

GROUP_MEETING_DAY = datetime(2031, 3, 5, 8, 0)


class KimBang:
    def __init__(self):
        self.bank = factories.make_org(OrgKind.BANK_HEAD_OFFICE, name="Ngân hàng Chính sách xã hội",
                                       code="VBSP-HO", country="VN", currency="VND")
        self.office = factories.make_org(OrgKind.SPECIALISED_BRANCH, parent=self.bank,
                                         name="Phòng giao dịch NHCSXH huyện Kim Bảng",
                                         code="VBSP-KB", country="VN", currency="VND")
        self.union = factories.make_org(OrgKind.MASS_ORGANISATION, code="VN-KB-WU",
                                        name="Hội Liên hiệp Phụ nữ huyện Kim Bảng")
        self.farmers = factories.make_org(OrgKind.MASS_ORGANISATION, code="VN-KB-FA",
                                          name="Hội Nông dân huyện Kim Bảng")
        self.group = factories.make_org(OrgKind.SAVINGS_GROUP, parent=self.union,
                                        code="VN-KB-G0101", name="Tổ TK&VV số 1 xã Ba Sao",
                                        commune="Ba Sao")
        self.neighbours = factories.make_org(OrgKind.SAVINGS_GROUP, parent=self.union,
                                             code="VN-KB-G0102", name="Tổ TK&VV số 2 xã Ba Sao",
                                             commune="Ba Sao")
        # a group of the Farmers' Association: served by another officer
        self.elsewhere = factories.make_org(OrgKind.SAVINGS_GROUP, parent=self.farmers,
                                            code="VN-KB-G0201", name="Tổ TK&VV số 1 xã Khả Phong",
                                            commune="Khả Phong")
        self.officer = factories.make_user("relationship_manager", self.office,
                                           full_name="Nguyễn Thị Hương")
        self.officer.portfolio = [self.union]
        self.leader = factories.make_user("union_director", self.group,
                                          full_name="Đinh Thị Mai")
        self.neighbour_leader = factories.make_user("union_director", self.neighbours,
                                                    full_name="Lê Văn Tâm")
        self.farmers_chair = factories.make_user("union_director", self.farmers,
                                                 full_name="Phạm Văn Hùng")
        db.session.commit()

    def group_meeting(self, *, invited=(), confidential=False, held=True):
        """The group's periodic meeting, hosted by the group, the officer recording."""
        meeting = services.plan_meeting(
            self.officer, kind="periodic_group_meeting", title="Sinh hoạt tổ định kỳ tháng 3",
            starts_local=GROUP_MEETING_DAY, ends_local=GROUP_MEETING_DAY + timedelta(hours=1),
            timezone="Asia/Ho_Chi_Minh", place="Nhà văn hóa thôn Ba Sao", online_link=None,
            host_organisation=self.group, chair=None, chair_name="Tổ trưởng",
            recorder=self.officer, confidential=confidential)
        services.invite(self.officer, meeting, [self.group, *invited])
        if held:
            services.mark_held(self.officer, meeting, now=meeting.ends_at)
        db.session.commit()
        return meeting
