"""The byline search run on the page itself gives what trafilatura's own search gives."""
from __future__ import annotations

import itertools

import pytest
from trafilatura.metadata import extract_author

from searchsvc.ingest import bylinesearch, pagetree


def page(body: str) -> str:
    return (f"<!DOCTYPE html><html><head><title>Ferries stop</title></head><body><h1>Ferries "
            f"stop</h1>{body}<p>The harbour council voted to stop the night ferries.</p>"
            f"</body></html>")


def test_the_installed_trafilatura_is_the_one_mirrored():
    # if this fails, trafilatura's byline search changed: the slow path runs until the
    # mirror is brought up to date (its expressions, then _MIRRORED)
    assert bylinesearch._mirrors_installed()


CASES = [
    # each of the three expressions, in their order of trust
    "<a rel='author' href='/people/jo'>Jo Reed</a>",
    "<span id='author'>Jo Reed</span>",
    "<p class='author'>Jo Reed</p>",
    "<span itemprop='author name'>Jo Reed</span>",
    "<div data-testid='AuthorCard'>Jo Reed</div>",
    "<span class='c-authorName'>Jo Reed</span>",
    "<author>Jo Reed</author>",
    "<div><rel>me</rel>Jo Reed</div>",
    "<h3 class='byline'>By Jo Reed</h3>",
    "<h4 class='username'>jo_reed</h4>",
    "<span itemprop='creator author'>Jo Reed</span>",
    "<div id='zuozhe'>Li Wei</div>",
    "<p class='posted-by'>Posted by Jo Reed</p>",
    "<section data-component='Byline'>Jo Reed</section>",
    "<em id='Author-line'>Jo Reed</em>",
    "<li class='writer'>Jo Reed</li>",
    "<b class='ArticleByline'>Jo Reed</b>",
    # the first expression wins over an earlier match of a later one
    "<h3 class='byline'>By Ann Lee</h3><span class='author'>Jo Reed</span>",
    # text too short or too long is passed over for the next match
    "<span class='author'>JR</span><span class='author-name'>Jo Reed</span>",
    "<span class='author'>" + "Jo Reed " * 20 + "</span><span id='author'>Ann Lee</span>",
    # dates, figures and comment blocks are deleted first, their tail text kept
    "<span class='author'>Jo<time>4 March</time>Reed</span>",
    "<span class='author'>By <time>4 March</time> Jo Reed</span>",
    "<p class='author'>Jo <span class='date'>today</span>Reed<span class='title'>x</span>,"
    " Ann Lee</p>",
    "<p class='author'><span class='date'>today</span>Jo Reed</p>",
    "<div class='comments'><span class='author'>A reader</span></div>"
    "<span class='author'>Jo Reed</span>",
    "<figure><span class='author'>Photo Ink</span></figure><span class='author'>Jo Reed</span>",
    "<section id='comment-list'><p class='author'>A reader</p></section><p class='author'>Jo</p>",
    "<a class='author' href='/jo'>Jo Reed<div data-component='FigureCaption'>Ann</div></a>",
    "<div class='sidebar'><a rel='author'>Ann Lee</a></div><div class='byline'>Jo Reed</div>",
    "<span class='author'>Jo<time>x</time><time>y</time>Reed<figure>z</figure>, Ann Lee</span>",
    "<span class='author'><b>Jo</b>Re<time>x</time>ed<figure>z</figure>, Ann Lee</span>",
    # an element whose only text is deleted with a date is passed over
    "<span class='author'><time>4 March 2021</time></span><span id='author'>Jo Reed</span>",
    # names the normalisation cleans: a handle, an e-mail address, lower case
    "<span class='author'>@joreed</span><p class='byline'>jo reed</p>",
    "<span class='author'>jo@example.org</span>",
    # nothing
    "<p>By Jo Reed</p>",
]


@pytest.mark.parametrize("body", CASES)
def test_same_byline_as_trafilatura(body):
    tree = pagetree.parse_tree(page(body))
    assert bylinesearch.byline_search(tree) == extract_author(tree)


@pytest.mark.parametrize("attribute", [
    "id='comments'", "class='comments'", "class='title'", "class='date'", "id='comments-2'",
    "id='commentlist'", "id='comment-list'", "id='ProductReviews'", "class='Comments'",
    "class='x commentlist'", "class='comments-list'", "class='sidebar'", "class='is-hidden'",
    "class='pullquote'", "class='embedly-instagram'", "class='article-share'",
    "class='article-support'", "class='print-only'", "class='category'", "class='meta-date'",
    "class='meta-reviewer'", "data-component='ImageFigure'",
    # and what is not deleted: the pattern is anchored, or the tag is another
    "class='my-comments'", "id='no-comments'", "class='Title'"])
@pytest.mark.parametrize("tag", ["a", "div", "section", "span", "p"])
def test_same_deletions_as_trafilatura(tag, attribute):
    body = (f"<div class='author'>Jo <{tag} {attribute}>Ann Lee</{tag}>Reed</div>"
            f"<p class='byline'><{tag} {attribute}>By Cy Dunn</{tag}></p>")
    tree = pagetree.parse_tree(page(body))
    assert bylinesearch.byline_search(tree) == extract_author(tree)


def test_same_byline_as_trafilatura_on_combined_markup():
    # tags and attributes of every test combined, nested two deep, deleted blocks among them
    tags = ["a", "div", "span", "p", "h3", "section", "em", "strong", "time", "figure"]
    attributes = ["", "class='author'", "class='comments'", "id='author-box'",
                  "class='byline-wrap'", "itemprop='author'", "class='date'",
                  "data-component='Figure'", "class='sidebar writer'"]
    outer_inner = itertools.product(tags[:6], attributes[:6], tags, attributes)
    for number, (outer, outer_attr, inner, inner_attr) in enumerate(outer_inner):
        if number % 7:
            continue
        body = (f"<{outer} {outer_attr}>Jo <{inner} {inner_attr}>Ann Lee</{inner}>Reed "
                f"</{outer}><span class='writer'>Cy Dunn</span>")
        tree = pagetree.parse_tree(page(body))
        assert bylinesearch.byline_search(tree) == extract_author(tree), body


def test_the_page_is_left_as_it_was():
    html = page("<span class='author'>Jo<time>4 March</time>Reed</span>")
    tree = pagetree.parse_tree(html)
    before = pagetree.etree.tostring(tree)
    bylinesearch.byline_search(tree)
    assert pagetree.etree.tostring(tree) == before
