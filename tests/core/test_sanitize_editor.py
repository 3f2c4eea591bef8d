"""What the sanitiser keeps of the formatting editor's output, of text pasted from a word
processor and of plain text typed without JavaScript; and links that leave the portal while
looking local (scheme-relative) are refused."""
import pytest

from portal.core.sanitize import is_safe_href, rich_text, sanitize_html

# Quill 2's own markup, as richtext.js hands it to the form (root.innerHTML): one <ol> whose
# items say which kind of list they belong to, a marker span, spellcheck cursors
QUILL = ('<h3>۱. گشایش</h3><p><strong>مصوب شد</strong> سقف وام <em>دو برابر</em></p>'
         '<ol><li data-list="bullet"><span class="ql-ui" contenteditable="false"></span>آموزش'
         '</li><li data-list="bullet"><span class="ql-ui" contenteditable="false"></span>گزارش'
         '</li><li data-list="ordered"><span class="ql-ui" contenteditable="false"></span>نخست'
         '</li></ol><p><br></p><p><a href="https://cdb.example/x" rel="noopener noreferrer" '
         'target="_blank">پیوند</a></p>')

WORD = """<html xmlns:o="urn:schemas-microsoft-com:office:office"
xmlns:w="urn:schemas-microsoft-com:office:word"><head><meta charset=utf-8>
<style>p.MsoNormal{margin:0} @list l0:level1{mso-level-number-format:bullet}</style></head>
<body lang=VI><!--StartFragment--><div class=WordSection1>
<h1 style='mso-margin-top-alt:auto'><span lang=VI
style='font-family:"Times New Roman"'>Biên bản họp<o:p></o:p></span></h1>
<p class=MsoNormal style='color:#333'><b><span style='font-size:14pt'>Đã thông qua</span></b><span
style='font-family:Arial'> kế hoạch<br>năm 2026</span><o:p>&nbsp;</o:p></p>
<p class=MsoListParagraphCxSpFirst
style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'><![if !supportLists]><span
style='font-family:Symbol'><span style='mso-list:Ignore'>·<span
style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp;&nbsp;
</span></span></span><![endif]>Đào tạo nhân viên<o:p></o:p></p>
<p class=MsoListParagraphCxSpLast
style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'><![if !supportLists]><span
style='mso-list:Ignore'>·<span>&nbsp;</span></span><![endif]>Báo cáo quý<o:p></o:p></p>
<p class=MsoListParagraph style='mso-list:l1 level1 lfo2'><![if !supportLists]><span
style='mso-list:Ignore'>1.<span>&nbsp;</span></span><![endif]>Bước một<o:p></o:p></p>
<p class=MsoListParagraph style='mso-list:l1 level1 lfo2'><![if !supportLists]><span
style='mso-list:Ignore'>2.<span>&nbsp;</span></span><![endif]>Bước hai<o:p></o:p></p>
<table class=MsoTableGrid style='border:none'><tr><td style='width:100pt'>ô</td></tr></table>
<p class=MsoNormal><img src="file:///C:/Users/x/clip_image001.png"><font color=red>đỏ</font></p>
</div><!--EndFragment--></body></html>"""

GOOGLE_DOCS = ('<meta charset="utf-8"><b style="font-weight:normal;" id="docs-internal-guid-1a2b">'
               '<h2 dir="ltr"><span style="font-size:16pt;font-weight:400">สรุปการประชุม</span></h2>'
               '<p dir="ltr"><span style="font-weight:700">เห็นชอบ</span><span> ให้เพิ่มวงเงิน'
               '</span></p><ul><li dir="ltr"><span style="font-style:italic">อบรม</span></li>'
               '</ul></b>')


def test_the_editors_lists_become_real_lists_and_its_markup_is_kept():
    clean = str(sanitize_html(QUILL))
    assert clean == (
        '<h3>۱. گشایش</h3><p><strong>مصوب شد</strong> سقف وام <em>دو برابر</em></p>'
        '<ul><li>آموزش</li><li>گزارش</li></ul><ol><li>نخست</li></ol><p><br></p>'
        '<p><a href="https://cdb.example/x" rel="noopener noreferrer nofollow">پیوند</a></p>')


def test_pasted_word_keeps_headings_lists_bold_and_line_breaks_and_drops_the_rest():
    clean = str(sanitize_html(WORD))
    assert "<h3><span lang=\"VI\">Biên bản họp</span></h3>" in clean
    assert "<p><b>Đã thông qua</b> kế hoạch<br>năm 2026</p>" in clean
    assert "<ul><li>Đào tạo nhân viên</li><li>Báo cáo quý</li></ul>" in clean
    assert "<ol><li>Bước một</li><li>Bước hai</li></ol>" in clean
    for dropped in ("style", "class", "Mso", "mso", "o:p", "<img", "font", "·", "&nbsp;",
                    "StartFragment", "p.MsoNormal", "<meta", "supportLists"):
        assert dropped not in clean, dropped
    assert "đỏ" in clean  # the words stay when their formatting goes
    assert str(sanitize_html(clean)) == clean


def test_pasted_google_docs_keeps_its_bold_and_italic_spans_as_such():
    clean = str(sanitize_html(GOOGLE_DOCS))
    assert clean == ('<h3>สรุปการประชุม</h3><p dir="ltr"><strong>เห็นชอบ</strong> ให้เพิ่มวงเงิน</p>'
                     '<ul><li><em>อบรม</em></li></ul>')


@pytest.mark.parametrize(("typed", "stored"), [
    ("سطر نخست\nسطر دوم", "<p>سطر نخست<br>سطر دوم</p>"),
    ("บรรทัดแรก\r\n\r\nย่อหน้าที่สอง\n", "<p>บรรทัดแรก</p><p>ย่อหน้าที่สอง</p>"),
    ("lãi suất < 5% và > 2%", "<p>lãi suất &lt; 5% và &gt; 2%</p>"),
    ("a <b>bold</b> word\nnext line\n\nnew paragraph",
     "<p>a <b>bold</b> word<br>next line</p><p>new paragraph</p>"),
])
def test_plain_text_becomes_paragraphs_and_line_breaks(typed, stored):
    assert str(rich_text(typed)) == stored


def test_lines_typed_after_headings_are_paragraphs_not_one_run():
    # what the old minutes outline plus typed lines looked like without the editor
    typed = "<h3>1. Khai mạc</h3>\n<p></p>\nDòng một\nDòng hai\n\nĐoạn mới"
    assert str(rich_text(typed)) == ("<h3>1. Khai mạc</h3><p>Dòng một<br>Dòng hai</p>"
                                     "<p>Đoạn mới</p>")


@pytest.mark.parametrize("href", [
    "//evil.example", " //evil.example/x", "/\\evil.example", "\\\\evil.example",
    "\t//evil.example", "/%09/evil.example".replace("%09", "\t"), "javascript:alert(1)",
    "JaVaScRiPt:alert(1)", "data:text/html,x", "vbscript:x", "evil.example/path",
])
def test_links_that_leave_the_portal_unseen_are_dropped(href):
    assert not is_safe_href(href)
    clean = str(sanitize_html(f'<p><a href="{href}">سایت</a></p>'))
    assert "href" not in clean and "evil" not in clean.replace("سایت", "")
    assert "سایت" in clean


@pytest.mark.parametrize("href", ["https://cdb.example/a?b=1&c=2", "http://cdb.example",
                                  "mailto:office@cdb.example", "/meetings/12", "#minutes"])
def test_ordinary_links_are_kept(href):
    assert is_safe_href(href)
    assert "href=" in str(sanitize_html(f'<p><a href="{href}">x</a></p>'))


@pytest.mark.parametrize("payload", [QUILL, WORD, GOOGLE_DOCS, "سطر\nسطر", "<p></p>x<br>y"])
def test_editor_and_pasted_markup_sanitise_idempotently(payload):
    once = str(sanitize_html(payload))
    assert str(sanitize_html(once)) == once
