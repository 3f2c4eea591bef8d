"""The discussion under an item (post, remove, hide) and the items like one being typed.

Routes on the feedback blueprint. The item's page includes feedback/_discussion.html, which
reads the thread and its form through the `discussion()` template helper registered here, so
the item's own view needs no change. The request's unit of work commits.
"""
from flask import abort, flash, g, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Optional

from portal.core import kept_pages
from portal.core.errors import require
from portal.core.forms import PortalForm
from portal.core.richtext import RichTextField
from portal.core.views import save_or_explain
from portal.feedback import conversation, item_views
from portal.feedback import permissions as feedback_permissions
from portal.feedback.views import bp


class CommentForm(PortalForm):
    # the formatting editor over a text box; sanitised again by the service
    body = RichTextField(_l("Your message"),
                         validators=[DataRequired(), Length(max=conversation.MAX_COMMENT)])


class EditForm(PortalForm):
    body = RichTextField(_l("Your message"),
                         validators=[DataRequired(), Length(max=conversation.MAX_COMMENT)])


class HideForm(PortalForm):
    reason = StringField(_l("Why it is hidden"), validators=[Optional(), Length(max=300)])


def _comment_form():
    # prefixed: the item's page already has a "body" (the response) and a "note-body"
    return CommentForm(prefix="comment")


@bp.app_context_processor
def _discussion_helpers():
    def discussion(item):
        """The thread, the form and what the reader may do, for feedback/_discussion.html."""
        found = conversation.discussion(current_user, item,
                                        whole=request.args.get("discussion") == "all")
        found.form = g.get("discussion_form") or _comment_form()
        found.hide_form = HideForm()
        found.edit_form = lambda comment: EditForm(formdata=None,
                                                   data={"body": comment.body_html})
        # a message's correction is offered only in its first minutes: no write ends the page
        # that offers it when they are over
        for comment in found.comments:
            if conversation.can_edit(current_user, comment):
                kept_pages.until(comment.created_at + conversation.EDIT_WINDOW)
        return found
    return {"discussion": discussion}


def _to_discussion(item_id, anchor="discussion"):
    return redirect(url_for("feedback.show", item_id=item_id) + f"#{anchor}")


def _to_message(item_id, comment):
    # back to a message just corrected or hidden: it may be older than the latest ones shown
    return redirect(url_for("feedback.show", item_id=item_id, discussion="all") +
                    f"#comment-{comment.id}")


@bp.route("/<int:item_id>/discussion", methods=["POST"])
@login_required
def post_comment(item_id):
    item = item_views.load(item_id)
    require(conversation.can_post(current_user, item),
            _("Only the submitter, the organisations that endorse the item and the bank take "
              "part in its discussion."))
    form = _comment_form()
    message, status = None, 400
    if form.validate_on_submit():
        comment, message, status = save_or_explain(
            form, lambda: conversation.post(current_user, item, form.body.data))
        if comment is not None:
            flash(_("Your message is posted. Those taking part are told."), "success")
            return _to_discussion(item_id, f"comment-{comment.id}")
    # refused: the page again, with what was typed and why it was refused
    g.discussion_form = form
    if message:
        flash(message, "danger")
    return item_views.item_page(item_views.load(item_id, full=True), status=status)


@bp.route("/<int:item_id>/discussion/<int:comment_id>/edit", methods=["POST"])
@login_required
def edit_comment(item_id, comment_id):
    item = item_views.load(item_id)
    comment = conversation.comment_of(item, comment_id)
    require(conversation.can_edit(current_user, comment),
            _("A message can be corrected only in the first %(minutes)d minutes.",
              minutes=conversation.EDIT_WINDOW.seconds // 60))
    form = EditForm()
    if not form.validate_on_submit():
        flash(_("Write your message first."), "danger")
        return _to_message(item_id, comment)
    _edited, refusal = item_views.attempt(
        lambda: conversation.edit(current_user, comment, form.body.data))
    flash(refusal.message if refusal else _("Your message is corrected."),
          "danger" if refusal else "success")
    return _to_message(item_id, comment)


@bp.route("/<int:item_id>/discussion/<int:comment_id>/remove", methods=["POST"])
@login_required
def remove_comment(item_id, comment_id):
    item = item_views.load(item_id)
    comment = conversation.comment_of(item, comment_id)
    require(conversation.can_remove(current_user, comment))
    if not PortalForm().validate_on_submit():
        abort(400)
    conversation.remove(current_user, comment)
    flash(_("Your message is removed."), "success")
    return _to_discussion(item_id)


@bp.route("/<int:item_id>/discussion/<int:comment_id>/hide", methods=["POST"])
@login_required
def hide_comment(item_id, comment_id):
    item = item_views.load(item_id)
    comment = conversation.comment_of(item, comment_id)
    require(conversation.can_hide(current_user, item))
    form = HideForm()
    if not form.validate_on_submit():
        abort(400)
    conversation.hide(current_user, item, comment, form.reason.data)
    flash(_("The message is hidden. The bank can still read it."), "success")
    return _to_message(item_id, comment)


@bp.route("/similar")
@login_required
def similar():
    """Items like the title being typed on the submission form, as JSON: public items of the
    reader's network only, at most five."""
    require(feedback_permissions.can_submit_feedback(current_user))
    title = (request.args.get("title") or "")[:200]
    items = conversation.similar_items(current_user, title)
    return jsonify(items=[{
        "id": item.id, "title": item.title, "state": str(item.state.label),
        "kind": str(item.kind.label), "url": url_for("feedback.show", item_id=item.id),
    } for item in items])
