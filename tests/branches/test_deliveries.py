"""Service deliveries: who may log them, what is refused, and the turnaround figures."""
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from portal.accounts.models import OrgKind
from portal.branches import services
from portal.branches.models import DeliveryOutcome, ServiceDelivery
from tests.branches.helpers import make_branch, make_delivery, make_staff
from tests.factories import make_org
from tests.products.helpers import make_product

# 2025-08-13 is a Wednesday.
REQUESTED = date(2025, 8, 13)
DELIVERED = [date(2025, 8, 13), date(2025, 8, 16), date(2025, 8, 17), date(2025, 8, 19),
             date(2025, 8, 25)]


def _deliveries_for(branch, union, product):
    for delivered in DELIVERED:
        make_delivery(branch, union, REQUESTED, delivered, product, amount=Decimal("1000"))
    make_delivery(branch, union, date(2025, 9, 1), None, product)  # still pending


def test_turnaround_in_iran_skips_fridays_only(client, login_as, db):
    # Working days after Wednesday the 13th, Friday off: 0, 2, 3, 5, 10.
    # Median 3; 90th percentile by nearest rank: the 5th of 5 values, 10.
    branch = make_branch()
    union = make_org(OrgKind.NATIONAL_UNION)
    product = make_product(target_days=4)
    _deliveries_for(branch, union, product)
    db.session.commit()
    stats = services.delivery_statistics(branch, sa.select(ServiceDelivery))
    overall = stats["overall"]
    assert (overall["count"], overall["completed"], overall["pending"]) == (6, 5, 1)
    assert overall["median"] == 3 and overall["p90"] == 10
    assert overall["on_time_share"] == 3 / 5  # 0, 2 and 3 days are within the 4-day target
    assert overall["amount"] == Decimal("5000")
    login_as("ministry_official")
    page = client.get(f"/branches/{branch.id}/deliveries")
    assert "median 3 working days, 90th percentile 10 working days" in page.text
    assert "60%" in page.text


def test_turnaround_in_vietnam_skips_saturday_and_sunday(db):
    # Same dates in Hà Nam: 0, 2, 2, 4, 8 working days.
    branch = make_branch(name="Phòng giao dịch NHCSXH huyện Kim Bảng", country="VN")
    group = make_org(OrgKind.SAVINGS_GROUP)
    _deliveries_for(branch, group, make_product(currency="VND"))
    overall = services.delivery_statistics(branch, sa.select(ServiceDelivery))["overall"]
    assert overall["median"] == 2 and overall["p90"] == 8


def test_median_of_an_even_count_is_the_mean_of_the_middle_two(db):
    branch = make_branch()
    union = make_org(OrgKind.NATIONAL_UNION)
    product = make_product()
    for delivered in DELIVERED[:4]:  # 0, 2, 3, 5
        make_delivery(branch, union, REQUESTED, delivered, product)
    overall = services.delivery_statistics(branch, sa.select(ServiceDelivery))["overall"]
    assert overall["median"] == 2.5 and overall["p90"] == 5


def test_figures_are_grouped_by_month(db):
    branch = make_branch()
    union = make_org(OrgKind.NATIONAL_UNION)
    product = make_product()
    make_delivery(branch, union, date(2025, 7, 1), date(2025, 7, 2), product)
    make_delivery(branch, union, REQUESTED, DELIVERED[-1], product)
    rows = services.delivery_statistics(branch, sa.select(ServiceDelivery), "month")["rows"]
    assert [(key, row["median"]) for key, row in rows] == [(date(2025, 7, 1), 1),
                                                            (date(2025, 8, 1), 10)]


def _delivery_form(org, product, **changes):
    data = {"organisation_id": org.id, "product_id": product.id, "package_id": "",
            "requested_on": "2025-08-13", "delivered_on": "2025-08-16", "amount": "2500000000",
            "outcome": "delivered", "note": "وام سرمایه در گردش برای خرید پشم"}
    data.update(changes)
    return data


def test_branch_staff_log_a_delivery_for_their_own_branch(client, login, db):
    branch = make_branch()
    union = make_org(OrgKind.NATIONAL_UNION)
    product = make_product()
    officer = login(make_staff(branch, preferred_locale="fa"))
    response = client.post(f"/branches/{branch.id}/deliveries/new",
                           data=_delivery_form(union, product))
    assert response.status_code == 302
    delivery = db.session.scalar(sa.select(ServiceDelivery))
    assert delivery.recorded_by_id == officer.id and delivery.branch_id == branch.id
    assert delivery.outcome == DeliveryOutcome.DELIVERED


def test_staff_of_another_branch_and_administrators_cannot_log_deliveries(client, login, db):
    tehran = make_branch()
    isfahan = make_branch(name="شعبه ویژه تعاون اصفهان", province="اصفهان")
    union = make_org(OrgKind.NATIONAL_UNION)
    product = make_product()
    login(make_staff(isfahan))
    response = client.post(f"/branches/{tehran.id}/deliveries/new",
                           data=_delivery_form(union, product))
    assert response.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ServiceDelivery)) == 0


def test_a_delivery_before_its_request_is_refused_and_the_form_keeps_the_input(
        client, login, db):
    branch = make_branch()
    union = make_org(OrgKind.NATIONAL_UNION)
    product = make_product()
    login(make_staff(branch))
    response = client.post(f"/branches/{branch.id}/deliveries/new", data=_delivery_form(
        union, product, requested_on="2025-08-16", delivered_on="2025-08-13"))
    assert response.status_code == 400
    assert "The delivery date cannot be before the request date." in response.text
    assert "وام سرمایه در گردش برای خرید پشم" in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ServiceDelivery)) == 0


def test_a_delivered_outcome_needs_a_date_and_pending_requests_can_be_completed_later(
        client, login, db):
    branch = make_branch()
    union = make_org(OrgKind.NATIONAL_UNION)
    product = make_product()
    login(make_staff(branch))
    refused = client.post(f"/branches/{branch.id}/deliveries/new",
                          data=_delivery_form(union, product, delivered_on=""))
    assert refused.status_code == 400 and "Give the date it was delivered." in refused.text
    pending = _delivery_form(union, product, delivered_on="", outcome="pending")
    assert client.post(f"/branches/{branch.id}/deliveries/new", data=pending).status_code == 302
    delivery = db.session.scalar(sa.select(ServiceDelivery))
    done = _delivery_form(union, product, version_id=delivery.version_id,
                          outcome="pending", delivered_on="2025-08-19")
    assert client.post(f"/branches/{branch.id}/deliveries/{delivery.id}/edit",
                       data=done).status_code == 302
    db.session.expire_all()
    delivery = db.session.get(ServiceDelivery, delivery.id)
    assert delivery.delivered_on == date(2025, 8, 19)
    assert delivery.outcome == DeliveryOutcome.DELIVERED
    stale = client.post(f"/branches/{branch.id}/deliveries/{delivery.id}/edit",
                        data=dict(done, version_id=1, note="late correction"))
    assert stale.status_code == 409 and "late correction" in stale.text


def test_a_union_director_sees_only_deliveries_to_their_own_organisation(client, login_as, db):
    branch = make_branch()
    mine = make_org(OrgKind.NATIONAL_UNION, name="اتحادیه سراسری تعاونی‌های فرش دستباف روستایی")
    other = make_org(OrgKind.NATIONAL_UNION, name="اتحادیه سراسری تعاونی‌های مسکن")
    product = make_product()
    make_delivery(branch, mine, REQUESTED, DELIVERED[1], product)
    make_delivery(branch, other, REQUESTED, DELIVERED[2], product)
    db.session.commit()
    login_as("union_director", mine)
    page = client.get(f"/branches/{branch.id}/deliveries")
    assert "فرش دستباف" in page.text and "تعاونی‌های مسکن" not in page.text
