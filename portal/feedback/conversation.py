"""The discussion under a feedback item, and the items like one being typed.

The discussion is kept apart from the official answer: the answer is the bank's word, written
by the owner and published once; the discussion is where the submitter's organisation, the
organisations that endorse the item and the bank's people talk it over.

Who reads it: whoever reads the item (feedback.permissions.visible_feedback), so a
confidential item's discussion stays with the bank, the ministry and the submitter's
organisation, and is told only to those of its people who still read the item. Who writes: the
submitter's directors, the directors of an endorsing organisation and the bank's staff. The
ministry reads and does not write: it watches the outcome, as it does for the items themselves
(it neither submits nor endorses). Other unions read a public item's discussion and join it by
endorsing.

Moderation: an author removes their own message; the item's owner and administrators hide a
message, with a reason. Both keep the row (its place in the thread, the audit trail).
"""
import math
from datetime import timedelta
from types import SimpleNamespace

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _

from portal import permissions
from portal.accounts.models import BANK_KINDS, Membership, Role, User
from portal.core import audit, digests
from portal.core.errors import ValidationError, require
from portal.core.models import utcnow
from portal.core.notify import notify
from portal.core.sanitize import plain_text, rich_text
from portal.core.textnorm import search_key
from portal.extensions import db
from portal.feedback import permissions as feedback_permissions
from portal.feedback import queries, services
from portal.feedback.models import Endorsement, FeedbackComment, FeedbackItem, Visibility

MAX_COMMENT = 10_000
# an author corrects a message while those told of it have hardly read it; after that the
# thread others replied to stays as it was (removing it remains possible)
EDIT_WINDOW = timedelta(minutes=15)
EXCERPT = 400
COMMENT_FIELDS = ("body_html", "deleted_at", "hidden_at", "hidden_by_id", "hidden_reason")


# --- who may do what -------------------------------------------------------------------------

def _endorsing_organisation(user, item):
    own = {m.organisation_id: m.organisation for m in user.memberships
           if m.role == Role.UNION_DIRECTOR}
    return next((own[e.organisation_id] for e in item.endorsements
                 if e.organisation_id in own), None)


def _bank_office(user):
    return next((m.organisation for m in user.memberships
                 if m.organisation.kind in BANK_KINDS), None)


def speaking_for(user, item):
    """The organisation this person writes for in the item's discussion, or None when they
    may only read it. The caller has loaded the item through visible_feedback(user)."""
    if permissions.is_bank_staff(user):
        return _bank_office(user)
    if feedback_permissions.is_feedback_submitter(user, item):
        return item.organisation
    if not permissions.is_ministry(user) and user.has_role(Role.UNION_DIRECTOR):
        return _endorsing_organisation(user, item)
    return None


def can_post(user, item):
    return speaking_for(user, item) is not None


def can_remove(user, comment):
    """An author removes their own message, while it is still shown."""
    return (getattr(user, "id", None) == comment.author_id and not comment.is_removed
            and not comment.is_hidden)


def can_edit(user, comment, now=None):
    """An author corrects their own message within EDIT_WINDOW of posting it."""
    return can_remove(user, comment) and (now or utcnow()) - comment.created_at <= EDIT_WINDOW


def can_hide(user, item):
    """Moderation belongs to whoever handles the item: its owner, or an administrator."""
    return permissions.is_bank_staff(user) and feedback_permissions.can_handle_feedback(user, item)


def may_read_hidden(user):
    """The bank sees what it hid (and why); nobody else reads a hidden message."""
    return permissions.is_bank_staff(user)


# --- reading ---------------------------------------------------------------------------------

# the latest messages are shown; "show the earlier messages" opens the whole thread. A long
# discussion drawn whole cost 1-2 ms a message (its forms and links) on every reading.
SHOWN_MESSAGES = 20


def thread(item, latest=None):
    """The item's messages in the order they were written, with their people: all of them,
    or only the `latest` ones."""
    query = sa.select(FeedbackComment).where(FeedbackComment.item_id == item.id).options(
        sa.orm.joinedload(FeedbackComment.author),
        sa.orm.joinedload(FeedbackComment.organisation),
        sa.orm.joinedload(FeedbackComment.hidden_by))
    if latest is None:
        return db.session.scalars(query.order_by(FeedbackComment.id)).all()
    newest_first = db.session.scalars(query.order_by(FeedbackComment.id.desc())
                                      .limit(latest)).all()
    return newest_first[::-1]


def message_count(item):
    return db.session.scalar(sa.select(sa.func.count()).select_from(FeedbackComment).where(
        FeedbackComment.item_id == item.id))


def comment_of(item, comment_id):
    """A message of this item (raises NotFound for another item's, whoever asks)."""
    return queries.row_of_item(FeedbackComment, item, comment_id)


def discussion(user, item, whole=False):
    """What the item's page shows of its discussion to this reader: the latest messages, or
    the whole thread when asked (`earlier` says how many are not shown)."""
    comments = thread(item, None if whole else SHOWN_MESSAGES)
    total = message_count(item) if len(comments) == SHOWN_MESSAGES and not whole \
        else len(comments)
    return SimpleNamespace(comments=comments, total=total, earlier=total - len(comments),
                           speaking_for=speaking_for(user, item),
                           can_hide=can_hide(user, item),
                           may_read_hidden=may_read_hidden(user),
                           can_remove=lambda comment: can_remove(user, comment),
                           can_edit=lambda comment: can_edit(user, comment))


# --- writing ---------------------------------------------------------------------------------

def _clean(body_html):
    body = str(rich_text(body_html))
    if not plain_text(_text_of(body)):
        raise ValidationError(_("Write your message first."), field="body")
    if len(body) > MAX_COMMENT:
        raise ValidationError(_("The message is too long: at most %(n)d characters.",
                                n=MAX_COMMENT), field="body")
    return body


def _text_of(html):
    return " ".join(services.strip_tags(html).split())


def post(actor, item, body_html):
    """Add the actor's message to the item's discussion and tell the people in it.

    Raises PermissionDenied for someone who may only read it, ValidationError for an empty
    or too long message. Sanitises the text, writes the audit entry and flushes."""
    organisation = speaking_for(actor, item)
    require(organisation is not None,
            _("Only the submitter, the organisations that endorse the item and the bank take "
              "part in its discussion."))
    comment = FeedbackComment(item_id=item.id, author=actor, organisation=organisation,
                              body_html=_clean(body_html))
    db.session.add(comment)
    db.session.flush()
    audit.record(actor, "feedback_comment_posted", comment,
                 after={"item_id": item.id, **audit.snapshot(comment, ("body_html",))})
    _tell_about(comment, item)
    return comment


def edit(actor, comment, body_html):
    """The author corrects their message within EDIT_WINDOW (PermissionDenied after it);
    sanitised as when posted; the audit entry keeps the text before. Nobody is told again."""
    require(can_edit(actor, comment),
            _("A message can be corrected only in the first %(minutes)d minutes.",
              minutes=EDIT_WINDOW.seconds // 60))
    before = audit.snapshot(comment, COMMENT_FIELDS)
    comment.body_html = _clean(body_html)
    comment.edited_at = utcnow()
    db.session.flush()
    audit.record(actor, "feedback_comment_edited", comment, before,
                 audit.snapshot(comment, COMMENT_FIELDS))


def remove(actor, comment):
    """The author takes their message back; the thread shows that a message was removed."""
    require(can_remove(actor, comment), _("Only its author can remove a message."))
    before = audit.snapshot(comment, COMMENT_FIELDS)
    comment.deleted_at = utcnow()
    db.session.flush()
    audit.record(actor, "feedback_comment_removed", comment, before,
                 audit.snapshot(comment, COMMENT_FIELDS))


def hide(actor, item, comment, reason):
    """The owner or an administrator hides a message from everyone but the bank."""
    require(can_hide(actor, item) and not comment.is_hidden)
    before = audit.snapshot(comment, COMMENT_FIELDS)
    comment.hidden_at = utcnow()
    comment.hidden_by_id = actor.id
    comment.hidden_reason = plain_text(reason or "", 300) or None
    db.session.flush()
    audit.record(actor, "feedback_comment_hidden", comment, before,
                 audit.snapshot(comment, COMMENT_FIELDS))


# --- telling ---------------------------------------------------------------------------------

def _still_reads(person, item):
    """Whether this person reads the item now: a public item is read by the whole network;
    a confidential one (perhaps made so after it was endorsed) by the bank, the ministry and
    the submitter's organisation only."""
    if item.visibility == Visibility.PUBLIC:
        return True
    return (permissions.is_bank_staff(person) or permissions.is_ministry(person)
            or feedback_permissions.is_feedback_submitter(person, item))


def people_in(item):
    """The submitter, the endorsers, the owner and whoever wrote in the discussion, with
    their memberships (whether they still read the item): two statements however many they
    are, rather than one or two per person."""
    ids = sa.union(
        sa.select(Endorsement.user_id).where(Endorsement.item_id == item.id),
        sa.select(FeedbackComment.author_id).where(FeedbackComment.item_id == item.id),
        _submitters_of_record(item))
    named = [i for i in (item.owner_id,) if i is not None]
    return list(db.session.scalars(
        sa.select(User).where(sa.or_(User.id.in_(ids), User.id.in_(named)))
        .options(sa.orm.selectinload(User.memberships).joinedload(Membership.organisation))
        .order_by(User.id)))


def _submitters_of_record(item):
    """The ids of history.submitters_of_record(item), as a select()."""
    if item.recorded_by_id is None:
        return sa.select(User.id).where(User.id == item.submitted_by_id)
    return sa.select(Membership.user_id).join(User).where(
        Membership.organisation_id == item.organisation_id,
        Membership.role == Role.UNION_DIRECTOR, User.is_active)


def _tell_about(comment, item):
    excerpt = _text_of(comment.body_html)
    if len(excerpt) > EXCERPT:
        excerpt = excerpt[:EXCERPT].rstrip() + "…"
    author = comment.author.full_name
    link = url_for("feedback.show", item_id=item.id) + f"#comment-{comment.id}"
    told = [person for person in people_in(item)
            if person.id != comment.author_id and _still_reads(person, item)]
    digests.read_ahead(told)
    for person in told:
        notify(person, "feedback_comment",
               lambda: (_("%(name)s wrote in the discussion of %(title)s", name=author,
                          title=item.title), excerpt), link=link)


# --- items like the one being typed ----------------------------------------------------------

MIN_PIECE = 3
MAX_PIECES = 12
THAI = range(0x0E00, 0x0E80)


def _pieces(text):
    """What to look for: each word of three letters or more; Thai, written without spaces
    between words, in overlapping runs of four characters, so that a title typed in other
    words still meets the stored one where they share a phrase."""
    pieces = []
    for word in search_key(text).split():
        if any(ord(ch) in THAI for ch in word) and len(word) > 6:
            pieces += [word[i:i + 4] for i in range(0, len(word) - 3, 2)]
        elif len(word) >= MIN_PIECE:
            pieces.append(word)
    return list(dict.fromkeys(pieces))[:MAX_PIECES]


def similar_items(user, title, limit=5):
    """Up to `limit` public items this person may read whose text shares most with the
    title: at least half of what was typed. Confidential items are never suggested, even to
    those who may read them: the list is shown while anyone types, over their shoulder."""
    pieces = _pieces(title)
    if not pieces:
        return []
    score = sum(sa.case((FeedbackItem.search_key.contains(p, autoescape=True), 1), else_=0)
                for p in pieces)
    needed = max(1, math.ceil(len(pieces) / 2))
    query = feedback_permissions.visible_feedback(user).where(
        FeedbackItem.visibility == Visibility.PUBLIC, score >= needed) \
        .order_by(score.desc(), FeedbackItem.created_at.desc(), FeedbackItem.id.desc()) \
        .limit(limit)
    return db.session.scalars(query).all()


# --- demo ------------------------------------------------------------------------------------

# item title -> [(who, message)]: who is "submitter", "endorser" (the first endorsement's
# director) or "owner" (the relationship manager who handles it)
DEMO_DISCUSSIONS = {
    "کندی ارائه خدمات به تعاونی‌ها در شعب": [
        ("submitter", "<p>پس از پاسخ بانک، افتتاح حساب در شعبه ویژه تهران سه روز طول کشید؛ "
                      "اما در شعب معمولی استان‌ها هنوز همان سه هفته است.</p>"),
        ("endorser", "<p>در شعب خراسان رضوی هم پرونده تسهیلات تعاونی‌های کشاورزی بیش از یک "
                     "ماه معطل ماند.</p>"),
        ("owner", "<p>درست است. آموزش کارکنان شعب استانی از ماه آینده آغاز می‌شود و فهرست "
                  "شعب را در همین گفتگو اعلام می‌کنیم.</p>"),
    ],
    "Lịch giao dịch tại xã chưa thuận tiện": [
        ("submitter", "<p>Chị em trong tổ đề nghị chuyển phiên giao dịch sang ngày 15 hằng "
                      "tháng, không trùng chợ phiên.</p>"),
        ("endorser", "<p>Hội Cựu chiến binh xã Ba Sao nhất trí với đề nghị này.</p>"),
        ("owner", "<p>Phòng giao dịch huyện Kim Bảng đồng ý thử lịch mới từ tháng sau và sẽ "
                  "thông báo tại buổi sinh hoạt tổ.</p>"),
    ],
}


def _demo_author(item, who):
    if who == "owner":
        return item.owner
    if who == "endorser":
        return item.endorsements[0].user if item.endorsements else None
    return item.submitted_by


def seed_demo_discussion():
    """A short discussion under two demo items (answered ones: it follows the answer), if they
    have none yet."""
    for title, messages in DEMO_DISCUSSIONS.items():
        item = db.session.scalar(sa.select(FeedbackItem).where(FeedbackItem.title == title))
        if item is None or thread(item):
            continue
        for who, body in messages:
            author = _demo_author(item, who)
            if author is not None:
                post(author, item, body)
