"""Forms of the indicators area."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField
from wtforms.validators import InputRequired

from portal.core.forms import PortalForm
from portal.i18n.fields import LocalDecimalField


class ImportForm(PortalForm):
    file = FileField(_l("CSV or Excel file"), validators=[FileRequired()])


class ThresholdForm(PortalForm):
    version_id = HiddenField()
    green_at = LocalDecimalField(_l("Green from"), validators=[InputRequired()])
    amber_at = LocalDecimalField(_l("Amber from"), validators=[InputRequired()])
