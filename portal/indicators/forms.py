"""Forms of the indicators area."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import FloatField, HiddenField
from wtforms.validators import InputRequired


class ImportForm(FlaskForm):
    file = FileField(_l("CSV or Excel file"), validators=[FileRequired()])


class ThresholdForm(FlaskForm):
    version_id = HiddenField()
    green_at = FloatField(_l("Green from"), validators=[InputRequired()])
    amber_at = FloatField(_l("Amber from"), validators=[InputRequired()])
