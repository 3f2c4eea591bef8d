"""The rich-text form field: a text box that the formatting editor enhances.

Without JavaScript it is a plain <textarea>: what is typed there becomes paragraphs and line
breaks on the server (portal.core.sanitize). With JavaScript, static/js/richtext.js puts the
vendored Quill editor over it and keeps the textarea filled with the editor's HTML on every
change, so the form, the minutes autosave and the 409 merge page see one ordinary field.
Labels of the toolbar come from here, translated on the server, and the editor's files are
named here so a page without a rich-text box loads none of them.
"""
import json

from flask import current_app, has_app_context, url_for
from flask_babel import gettext as _
from markupsafe import escape
from wtforms import TextAreaField
from wtforms.widgets import TextArea

from portal.core.sanitize import rich_text

# loaded by richtext.js, in this order, the first time a page has a rich-text box
ASSETS = ("vendor/quill/quill.core.css", "css/richtext.css", "vendor/quill/quill.js")


def toolbar_labels():
    """What the toolbar says, in the reader's language (read by richtext.js)."""
    return {
        "toolbar": _("Formatting"),
        "style": _("Text style"),
        "paragraph": _("Paragraph"),
        "heading": _("Heading"),
        "subheading": _("Subheading"),
        "bold": _("Bold"),
        "italic": _("Italic"),
        "bullet": _("Bulleted list"),
        "ordered": _("Numbered list"),
        "link": _("Link"),
        "unlink": _("Remove the link"),
        "clean": _("Clear formatting"),
        "address": _("Link address"),
        "apply": _("Add the link"),
        "cancel": _("Cancel"),
        "invalid": _("Enter an address that starts with https://, http:// or mailto:"),
    }


def _asset_urls():
    asset_url = current_app.jinja_env.globals.get("asset_url") if has_app_context() else None
    return [asset_url(name) if asset_url else url_for("static", filename=name)
            for name in ASSETS]


class RichTextArea(TextArea):
    """A textarea that says it wants the editor, with the editor's labels and files."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("rows", 12)
        kwargs.setdefault("dir", "auto")
        kwargs["data-richtext"] = ""
        kwargs["data-richtext-labels"] = json.dumps(toolbar_labels(), ensure_ascii=False)
        kwargs["data-richtext-assets"] = json.dumps(_asset_urls())
        return super().__call__(field, **kwargs)


class RichTextField(TextAreaField):
    """Long formatted text (minutes, official responses, an item's details): sanitised as it
    arrives, so what the form hands on, and what it shows back after a refusal, is the HTML
    that will be stored."""

    widget = RichTextArea()

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data:
            self.data = str(rich_text(self.data))


def outline_html(headings):
    """A text that starts with these headings, each with an empty line under it to write in
    (the minutes start from the agenda this way)."""
    return str(rich_text("".join(f"<h3>{escape(heading)}</h3><p><br></p>"
                                 for heading in headings)))
