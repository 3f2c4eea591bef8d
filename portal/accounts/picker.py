"""Choosing one organisation among thousands.

While the organisations one may choose are few, the field is a plain select. When there are
more than ORG_PICKER_FROM (a bank with 5,000 organisations would send a select of megabytes
on every form), it becomes a search box: the person types part of a name or code, the
browser suggests matches from /organisations/lookup (static/js/org-picker.js), and the form
sends "Name (CODE)". Either way the field's data is the organisation's id, and the server
checks that it is one the person may choose.
"""
import re

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import SelectField, ValidationError
from wtforms.validators import StopValidation
from wtforms.widgets import html_params

from portal.accounts.models import Organisation
from portal.core.forms import choices
from portal.extensions import db

_CODE_AT_END = re.compile(r"\(([^()]+)\)\s*$")


def _to_id(value):
    return int(value) if value not in (None, "") else None


def label_of(name, code):
    return f"{name} ({code})"


def offered_pairs(allowed, first=None):
    """(searching, [(id, "Name (CODE)")]) for a chooser of what `allowed` selects: above
    ORG_PICKER_FROM organisations the form shows search boxes instead of a list. first: a
    condition on Organisation whose organisations the list shows before the others."""
    limit = current_app.config["ORG_PICKER_FROM"]
    # the first limit + 1 found in any order, then sorted: one statement that stops early
    # and never sorts thousands only to learn that there are too many to list
    rank = sa.case((first, 0), else_=1) if first is not None else sa.literal(1)
    found = allowed.with_only_columns(Organisation.id, Organisation.name, Organisation.code,
                                      rank.label("rank")).order_by(None).limit(limit + 1) \
        .subquery()
    rows = db.session.execute(sa.select(found.c.id, found.c.name, found.c.code).order_by(
        found.c.rank, found.c.name, found.c.id)).all()
    searching = len(rows) > limit
    return searching, [] if searching else [(i, label_of(n, c)) for i, n, c in rows]


class OrganisationField(SelectField):
    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, coerce=_to_id, **kwargs)
        self.allowed = sa.select(Organisation).where(sa.false())
        self.searching = False
        self.typed = None

    def offer(self, allowed, blank=None, first=None):
        """allowed: a select(Organisation) of what may be chosen; blank: the label of the
        empty choice of an optional field; first: what a list shows first (offered_pairs)."""
        self.allowed = allowed
        self.searching, pairs = offered_pairs(allowed, first)
        self.choices = choices(([("", blank)] if blank else []) + pairs)

    def process_formdata(self, valuelist):
        # the form reads the request before the view calls offer(): a typed name is looked
        # up in pre_validate, once the field knows what may be chosen
        if not valuelist:
            return
        text = (valuelist[0] or "").strip()
        self.typed = text
        self.data = int(text) if text.isdecimal() else None  # a select sends the id

    def _typed_code(self):
        match = _CODE_AT_END.search(self.typed)
        return (match.group(1) if match else self.typed).strip()

    def pre_validate(self, form):
        if self.data is None and self.typed:  # the search box sends "Name (CODE)" or a code
            self.data = db.session.scalar(self.allowed.with_only_columns(Organisation.id)
                                          .where(Organisation.code == self._typed_code()))
            if self.data is None:  # stop: "required" would replace this clearer message
                raise StopValidation(_l("No organisation you may choose has this name or "
                                        "code. Choose one of the suggestions."))
            return
        if self.data is None:
            return
        allowed = db.session.scalar(self.allowed.with_only_columns(Organisation.id)
                                    .where(Organisation.id == self.data))
        if allowed is None:
            raise ValidationError(_l("Choose an organisation from the list."))

    def __call__(self, **kwargs):
        if not self.searching:
            kwargs["class_"] = kwargs.get("class_", "").replace("form-control", "form-select")
            return super().__call__(**kwargs)
        return self._search_box(**kwargs)

    def _shown_value(self):
        if self.typed is not None:
            return self.typed
        if self.data is None:
            return ""
        row = db.session.execute(sa.select(Organisation.name, Organisation.code).where(
            Organisation.id == self.data)).first()
        return label_of(*row) if row else ""

    def _search_box(self, **kwargs):
        options = f"{self.id}-options"
        kwargs.setdefault("class_", "form-control")
        params = html_params(type="text", id=self.id, name=self.name, list=options,
                             value=self._shown_value(), autocomplete="off", dir="auto",
                             data_org_lookup=url_for("organisations.lookup"), **kwargs)
        return Markup(f'<input {params}><datalist id="{escape(options)}"></datalist>')  # noqa: S704 - html_params escapes every value  # nosec B704
