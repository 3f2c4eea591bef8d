"""Form helpers shared by every area."""
from wtforms.fields.choices import SelectChoice


def choices(pairs):
    """WTForms 3.3+ wants SelectChoice objects rather than (value, label) tuples."""
    return [SelectChoice(value, label) for value, label in pairs]
