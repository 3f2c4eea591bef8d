"""A list filter's long choices drawn in Python (core.filters.option_tags): what a reader sees
in the select box, escaped, with the chosen one marked however its value came back."""
from collections import namedtuple

from portal.core.filters import option_tags

Office = namedtuple("Office", "id name")


def test_rows_by_attribute_are_escaped_and_the_chosen_one_marked_from_the_query_string():
    offices = [Office(7, "شعبه <مرکزی> & تهران"), Office(12, "สาขา \"ขอนแก่น\"")]
    html = str(option_tags(offices, "12", value="id", text="name"))
    assert html == ('<option value="7">شعبه &lt;مرکزی&gt; &amp; تهران</option>'
                    '<option value="12" selected>สาขา &#34;ขอนแก่น&#34;</option>')


def test_pairs_dicts_and_bare_values():
    assert str(option_tags([(1, "a"), (2, "b")], 1, value=0, text=1)) == \
        '<option value="1" selected>a</option><option value="2">b</option>'
    assert str(option_tags([{"value": "x", "label": "X"}], None)) == '<option value="x">X</option>'
    assert str(option_tags(["critique", "proposal"], "proposal", value=None, text="")) == \
        ('<option value="critique">critique</option>'
         '<option value="proposal" selected>proposal</option>')


def test_no_options_draws_nothing():
    assert str(option_tags(iter([]), "1")) == ""
