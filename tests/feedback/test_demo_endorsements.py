"""The demo shows endorsements: several unions of each network endorse the items they share,
the counts are on the list, and loading the demo again adds none twice."""
import sqlalchemy as sa

from portal.accounts.models import User
from portal.feedback.demo import ENDORSEMENTS
from portal.feedback.models import Endorsement, FeedbackItem


def test_the_demo_items_are_endorsed_by_several_unions_once(app, client, login, db):
    from portal.demo import seed

    seed()
    db.session.commit()
    seed()  # again, on the same database
    db.session.commit()
    items = {i.title: i for i in db.session.scalars(sa.select(FeedbackItem))}
    endorsing = set()
    for title, endorsements in ENDORSEMENTS.items():
        item = items[title]
        assert item.endorsement_count == len(item.endorsements) == len(endorsements), title
        for endorsement in item.endorsements:
            # a union endorses within its own bank's network, never its own item
            assert endorsement.organisation.network_id == item.organisation.network_id
            assert endorsement.organisation_id != item.organisation_id
            endorsing.add(endorsement.organisation.code)
    assert len(endorsing) >= 6
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Endorsement)) == sum(
        len(e) for e in ENDORSEMENTS.values())

    login(db.session.scalar(sa.select(User).where(User.email == "rm.tehran@cdb.example")))
    page = client.get("/feedback/?sort=endorsements").text
    most = page.index("کندی ارائه خدمات به تعاونی‌ها در شعب")
    assert "۳ سازمان" in page[most:most + 2500]
