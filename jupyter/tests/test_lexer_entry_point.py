"""The Pygments lexer ships in the package and is found by name, file name
and MIME type through the `pygments.lexers` entry point, as nbconvert,
Sphinx and `pygmentize` look lexers up. (The lexer's tokens are tested in
Tests/Grammar/test_pygments.py.)"""

from __future__ import annotations

from importlib.metadata import entry_points

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import find_lexer_class_by_name, get_lexer_by_name, get_lexer_for_filename, get_lexer_for_mimetype

from conftest import COLOSSUS


def test_entry_point_is_registered():
    eps = entry_points(group="pygments.lexers")
    [ep] = [e for e in eps if e.name == "lease"]
    assert ep.value == "lease_kernel.lexer:LeaseLexer"
    assert ep.load().__name__ == "LeaseLexer"


def test_pygments_finds_the_lexer_by_name_file_and_mimetype():
    assert find_lexer_class_by_name("lease").__module__ == "lease_kernel.lexer"
    assert type(get_lexer_by_name("lease")).__name__ == "LeaseLexer"
    assert type(get_lexer_for_filename("deal.lease")).__name__ == "LeaseLexer"
    assert type(get_lexer_for_mimetype("text/x-lease")).__name__ == "LeaseLexer"


def test_kernel_language_info_names_a_lexer_that_highlights(kernel):
    lexer_name = kernel.request("kernel_info")["language_info"]["pygments_lexer"]
    html = highlight(COLOSSUS.read_text(), get_lexer_by_name(lexer_name), HtmlFormatter())
    assert 'class="err"' not in html
    assert "contract" in html
