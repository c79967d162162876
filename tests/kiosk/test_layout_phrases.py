"""Issue #10: a wrapped Japanese line ends between phrases (BudouX), never inside a word (消/去, くだ/さい).

Lines are read back from Qt's own line breaking (``QTextLayout`` with the label's font and width, as QLabel
lays out plain text), so these tests check what Qt does with the marks, not only that they are there.
"""

from __future__ import annotations

import budoux
import pytest
from PySide6.QtGui import QTextLayout, QTextOption

from kiosk.core.phrases import ZWSP, phrase_wrapped, plain
from kiosk.widgets.controls import label

MESSAGE = ("誤った入力が続いたため、この申請者IDは一時的にロックされています。"
           "お急ぎの場合は係員にお声がけください。選んだ行を消去してください。")


def qt_lines(text: str, font, width: int) -> list[str]:
    layout = QTextLayout(text, font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WordWrap)
    layout.setTextOption(option)
    layout.beginLayout()
    lines = []
    while (line := layout.createLine()).isValid():
        line.setLineWidth(width)
        lines.append(plain(text[line.textStart():line.textStart() + line.textLength()]))
    layout.endLayout()
    return lines


def ends_inside_a_phrase(lines: list[str], text: str) -> list[str]:
    """The lines (but the last) that end where BudouX sees no phrase boundary."""
    boundaries, at = set(), 0
    for phrase in budoux.load_default_japanese_parser().parse(text):
        at += len(phrase)
        boundaries.add(at)
    bad, at = [], 0
    for line in lines[:-1]:
        at += len(line)
        if at not in boundaries:
            bad.append(line)
    return bad


@pytest.mark.parametrize("width", [180, 260, 400])
def test_a_wrapped_label_breaks_japanese_between_phrases(qtbot, width):
    shown = label("message")
    qtbot.addWidget(shown)
    shown.setFixedWidth(width)
    shown.setText(MESSAGE)
    assert plain(shown.text()) == MESSAGE  # nothing visible added
    lines = qt_lines(shown.text(), shown.font(), shown.contentsRect().width())
    assert "".join(lines) == MESSAGE and len(lines) > 1
    assert ends_inside_a_phrase(lines, MESSAGE) == []


def test_zero_width_spaces_alone_do_not_stop_qt_breaking_inside_words(qtbot):
    """Why the phrases are glued with WORD JOINER: U+200B adds break opportunities but Qt breaks Japanese
    between any two characters anyway, so spaces between phrases alone still break 消/去 and くだ/さい."""
    shown = label("message")
    qtbot.addWidget(shown)
    phrases = budoux.load_default_japanese_parser().parse(MESSAGE)
    lines = qt_lines(ZWSP.join(phrases), shown.font(), 180)
    assert ends_inside_a_phrase(lines, MESSAGE)  # broken inside phrases: the check can fail


def test_labels_that_do_not_wrap_and_other_texts_are_left_as_they_are(qtbot):
    one_line = label("title", wrap=False)
    qtbot.addWidget(one_line)
    one_line.setText(MESSAGE)
    assert one_line.text() == MESSAGE
    for text in ("Touch rows to select them.", "<b>消去</b>してください", "/home/kiosk/GreenCert/a.pdf", ""):
        assert phrase_wrapped(text) == text
    once = phrase_wrapped(MESSAGE)
    assert phrase_wrapped(once) == once  # a text set twice is marked once
