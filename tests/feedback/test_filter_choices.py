"""The branch and owner choices of the feedback list: every bank office of the network, the
one filtered on marked as chosen, names escaped (a name is data someone typed)."""
import re

from portal.accounts.models import OrgKind
from tests import factories


def test_the_branch_filter_lists_the_offices_and_keeps_the_one_chosen(client, login, db):
    factories.bank()
    tehran = factories.make_org(OrgKind.SPECIALISED_BRANCH, name="شعبه ویژه تعاون تهران")
    odd = factories.make_org(OrgKind.SPECIALISED_BRANCH, name='Ba Sao <b>"point"</b>')
    manager = factories.make_user("relationship_manager")
    db.session.commit()
    login(manager)
    page = client.get("/feedback/", query_string={"branch": str(tehran.id)}).text
    select = re.search(r'<select[^>]*id="f-branch".*?</select>', page, re.S).group(0)
    assert f'<option value="{tehran.id}" selected>شعبه ویژه تعاون تهران</option>' in select
    assert (f'<option value="{odd.id}">Ba Sao &lt;b&gt;&#34;point&#34;&lt;/b&gt;</option>'
            in select)
    assert select.count(" selected") == 1
    owners = re.search(r'<select[^>]*id="f-owner".*?</select>', page, re.S).group(0)
    assert f'<option value="{manager.id}">' in owners and " selected" not in owners
