"""What each role gets on every feedback route (see tests/test_route_roles.py)."""
import uuid
from pathlib import Path

from flask import current_app

from portal.accounts.models import OrgKind
from portal.extensions import db
from portal.feedback.models import Attachment, EscalationContact
from tests import factories
from tests.feedback import helpers
from tests.test_route_roles import ANON, SIGNED_IN, admin_only, everyone


def only(ok, *roles, refused=403, anon=302):
    return {ANON: anon} | {r: refused for r in SIGNED_IN} | {r: ok for r in roles}


BANK = ("relationship_manager", "branch_staff", "administrator")

ROUTES = {
    "feedback.index": ("GET", "/feedback/", everyone(200), None),
    "feedback.export": ("GET", "/feedback/export.csv", everyone(200), None),
    "feedback.submit": ("GET", "/feedback/new/critique", only(200, "union_director"), None),
    "feedback.show": ("GET", "/feedback/{confidential}",
                      everyone(200) | {"union_director": 404}, None),
    # the handling forms send the version the person saw (an empty one is a stale form)
    "feedback.acknowledge": ("POST", "/feedback/{item}/acknowledge", admin_only(302),
                             {"version_id": "{item_v}"}),
    "feedback.review": ("POST", "/feedback/{item}/review", admin_only(302),
                        {"version_id": "{item_v}"}),
    "feedback.publish": ("POST", "/feedback/{drafted}/publish", admin_only(302),
                         {"version_id": "{drafted_v}"}),
    "feedback.close": ("POST", "/feedback/{answered}/close", admin_only(302),
                       {"version_id": "{answered_v}"}),
    "feedback.add_note": ("POST", "/feedback/{item}/note", admin_only(302),
                          {"body": "Branch confirms the delay."}),
    "feedback.save_draft": ("POST", "/feedback/{item}/draft", admin_only(302),
                            {"body": "We are on it.", "outcome": "planned",
                             "version_id": "{item_v}"}),
    # the answer form's "duplicate of" suggestions: for whoever answers the item
    "feedback.duplicate_candidates": ("GET", "/feedback/{item}/duplicates?q=12",
                                      admin_only(200), None),
    "feedback.reopen": ("POST", "/feedback/{answered}/reopen", only(302),
                        {"reason": "Not settled"}),
    "feedback.endorse": ("POST", "/feedback/{item}/endorse", only(302, "union_director"), None),
    "feedback.reassign": ("POST", "/feedback/{item}/reassign", admin_only(302),
                          {"owner_id": "{manager}"}),
    "feedback.link_product": ("POST", "/feedback/{drafted}/product", admin_only(400), None),
    "feedback.attachment": ("GET", "/feedback/{item}/attachments/{attachment}", everyone(200),
                            None),
    "feedback.drafts": ("GET", "/feedback/drafts",
                        only(200, "relationship_manager", "administrator"), None),
    "feedback.queue": ("GET", "/feedback/queue", only(200, *BANK), None),
    "feedback.report": ("GET", "/feedback/report", only(200, *BANK, "ministry_official"), None),
    # an administrator looking at every network is asked to choose the bank first
    "feedback.escalation_chain": ("GET", "/feedback/escalation", admin_only(200), None),
    # ... and removes a link only from the chain of the bank they look at
    "feedback.remove_escalation_link": ("POST", "/feedback/escalation/{escalation_link}/delete",
                                        admin_only(404), None),
    # the discussion: the bank writes in any item's; a union only in its own or one it endorses
    "feedback.post_comment": ("POST", "/feedback/{item}/discussion",
                              only(302, *BANK), {"comment-body": "<p>Branch will call.</p>"}),
    "feedback.remove_comment": ("POST", "/feedback/{item}/discussion/{comment}/remove",
                                only(302), None),  # its author only (the world's director)
    "feedback.edit_comment": ("POST", "/feedback/{item}/discussion/{comment}/edit",
                              only(302), {"body": "<p>Corrected</p>"}),  # its author only
    "feedback.hide_comment": ("POST", "/feedback/{item}/discussion/{comment}/hide",
                              admin_only(302), None),  # the item's owner, or an administrator
    "feedback.similar": ("GET", "/feedback/similar?title=افتتاح حساب",
                         only(200, "union_director", "relationship_manager", "administrator"),
                         None),
}


def world():
    _union, director, manager = helpers.union_with_manager()
    item = helpers.submit(director)
    confidential = helpers.submit(director, visibility="confidential")
    answered = helpers.answer(manager, helpers.submit(director, kind="proposal"))
    drafted = helpers.submit(director, kind="product_request")
    from portal.feedback import services

    services.save_draft(manager, drafted, body_html="Draft", outcome="planned")
    from portal.feedback import conversation

    comment = conversation.post(director, item, "<p>سه هفته منتظر ماندیم.</p>")
    key = uuid.uuid4().hex
    folder = Path(current_app.config["UPLOAD_DIR"]) / "feedback"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / key).write_bytes(b"%PDF-1.4 minutes")
    attachment = Attachment(item_id=item.id, filename="minutes.pdf", size=16,
                            content_type="application/pdf", storage_key=key,
                            uploaded_by_id=director.id)
    db.session.add(attachment)
    # a bank of its own country: a head office takes in the organisations of its country
    # that have none yet, which would move the other areas' worlds into its network
    bank = factories.make_org(OrgKind.BANK_HEAD_OFFICE, name="ธนาคารเพื่อการเกษตรและสหกรณ์การเกษตร",
                              country="TH", currency="THB")
    link = EscalationContact(network_id=bank.id, level=1, user_id=manager.id)
    db.session.add(link)
    db.session.commit()
    return {"item": item.id, "item_v": item.version_id, "drafted_v": drafted.version_id,
            "answered_v": answered.version_id,
            "confidential": confidential.id, "answered": answered.id,
            "drafted": drafted.id, "manager": manager.id, "attachment": attachment.id,
            "escalation_link": link.id, "comment": comment.id}
