"""Results as the tests need them: in the Iranian bank's network unless told otherwise."""
from datetime import date

from portal.extensions import db
from portal.results.models import Result, ResultStatus, ResultText
from tests import factories


def make_result(title="تسهیلات سرمایه در گردش بافندگان", *, owner=None, country="IR",
                due_on=date(2026, 3, 20), status=ResultStatus.PLANNED, items=(), parent=None,
                weight=1, typed_progress=0, locale="fa"):
    bank = factories.bank(country)
    owner = owner or factories.make_user("relationship_manager", bank)
    result = Result(network_id=bank.id, owner_id=owner.id, created_by_id=owner.id,
                    due_on=due_on, status=status, parent=parent, weight=weight,
                    typed_progress=typed_progress, items=list(items))
    result.texts.append(ResultText(locale=locale, title=title, description_html=""))
    db.session.add(result)
    db.session.commit()
    return result
