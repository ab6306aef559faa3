"""Markdown rendering and the HTML sanitiser: what members write comes out as useful, harmless HTML.

The examples pin the behaviour members rely on (CommonMark, tables, code, links, images, mentions); the
hypothesis test feeds random hostile HTML and Markdown and checks that nothing executable survives.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from practica.lib.markdown import Rendered, html_to_text, mention_candidates, render_markdown, sanitize_html

# --- Helpers --------------------------------------------------------------------------------------


class _Collector(HTMLParser):
    """Every start tag with its (unescaped) attributes, as a browser's tokenizer would see them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag.lower(), [(name.lower(), value or "") for name, value in attrs]))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def _elements(html: str) -> list[tuple[str, list[tuple[str, str]]]]:
    parser = _Collector()
    parser.feed(html)
    parser.close()
    return parser.elements


def _tags(html: str) -> list[str]:
    return [tag for tag, _ in _elements(html)]


def _attrs(html: str, tag: str) -> list[dict[str, str]]:
    return [dict(attrs) for name, attrs in _elements(html) if name == tag]


# Whitespace and C0/C1 control characters: browsers ignore them inside a URL's scheme.
_IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20\x7f-\x9f\s]+")
DANGEROUS_SCHEMES = ("javascript", "data", "vbscript")
DANGEROUS_TAGS = {"script", "style", "iframe", "object", "embed"}


def _scheme(url: str) -> str:
    """The scheme a browser would read from ``url``: whitespace and control characters dropped, lower case."""
    cleaned = _IGNORED_IN_SCHEME.sub("", url).lower()
    return cleaned.split(":", 1)[0] if ":" in cleaned else ""


def _dangers(html: str) -> list[str]:
    """Everything in ``html`` that could run code or restyle the page; empty when the HTML is safe."""
    found = []
    for tag, attrs in _elements(html):
        if tag in DANGEROUS_TAGS:
            found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                found.append(f"{tag}[{name}]")
            if name == "style":
                found.append(f"{tag}[style]")
            if name in ("href", "src") and _scheme(value) in DANGEROUS_SCHEMES:
                found.append(f"{tag}[{name}={value!r}]")
    return found


def _allow(*usernames: str):  # type: ignore[no-untyped-def]
    """A mention resolver that allows only these people (as the discussions service does for readers)."""
    allowed = {name.lower(): name for name in usernames}
    seen: list[set[str]] = []

    def resolve(candidates: set[str]) -> dict[str, str]:
        seen.append(set(candidates))
        return {lower: name for lower, name in allowed.items() if lower in candidates}

    resolve.seen = seen  # type: ignore[attr-defined]
    return resolve


# --- Markdown -------------------------------------------------------------------------------------


def test_commonmark_paragraphs_headings_emphasis_and_lists_render() -> None:
    rendered = render_markdown("# Title\n\nSome **bold** and _italic_ text.\n\n- one\n- two\n\n1. first\n2. second\n")

    assert "<h1>Title</h1>" in rendered.html
    assert "<strong>bold</strong>" in rendered.html
    assert "<em>italic</em>" in rendered.html
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in rendered.html
    assert "<ol>\n<li>first</li>" in rendered.html


def test_render_returns_plain_text_for_search_without_markup() -> None:
    rendered = render_markdown("# Casing design\n\nUse **premium** threads & check the torque.")

    assert rendered.text.startswith("Casing design\n")
    assert " ".join(rendered.text.split()) == "Casing design Use premium threads & check the torque."
    assert "<" not in rendered.text


def test_html_to_text_keeps_line_breaks_between_blocks() -> None:
    assert html_to_text("<p>one</p><p>two &amp; three</p>") == "one\ntwo & three"


def test_tables_render_with_header_body_and_alignment() -> None:
    rendered = render_markdown("| Well | Depth |\n|:-----|------:|\n| A-1  | 2300  |\n| B-2  | 1800  |\n")

    assert _tags(rendered.html)[:3] == ["table", "thead", "tr"]
    assert "<th>Well</th>" in rendered.html or '<th align="left">Well</th>' in rendered.html
    assert _tags(rendered.html).count("td") == 4
    assert "<td>2300</td>" in rendered.html or '<td align="right">2300</td>' in rendered.html


def test_strikethrough_renders() -> None:
    assert "<s>wrong</s>" in render_markdown("~~wrong~~").html


def test_fenced_code_keeps_a_known_language_as_class_and_escapes_its_content() -> None:
    rendered = render_markdown("```python\nif a < b:\n    print('<script>')\n```\n")

    assert _attrs(rendered.html, "code") == [{"class": "language-python"}]
    assert "<pre><code" in rendered.html
    assert "if a &lt; b:" in rendered.html
    assert "&lt;script&gt;" in rendered.html
    assert "script" not in _tags(rendered.html)


def test_fenced_code_with_an_unknown_language_keeps_the_code_but_not_the_class() -> None:
    rendered = render_markdown('```x" onmouseover="alert(1)\ncode here\n```\n')

    assert "code here" in rendered.html
    assert all("language-" not in attrs.get("class", "") for attrs in _attrs(rendered.html, "code"))
    assert _dangers(rendered.html) == []


def test_links_get_rel_nofollow_noopener() -> None:
    rendered = render_markdown("See [the standard](https://example.org/norsok-d010) and <https://example.org/a>.")

    links = _attrs(rendered.html, "a")
    assert [link["href"] for link in links] == ["https://example.org/norsok-d010", "https://example.org/a"]
    assert all(link["rel"] == "nofollow noopener" for link in links)


def test_raw_html_links_get_rel_nofollow_noopener_replacing_their_own_rel() -> None:
    html = sanitize_html('<a href="https://example.org/" rel="opener" target="_blank">x</a>')

    assert _attrs(html, "a") == [{"href": "https://example.org/", "rel": "nofollow noopener"}]


def test_mailto_links_are_kept() -> None:
    assert _attrs(render_markdown("[write](mailto:wells@example.org)").html, "a")[0]["href"] == (
        "mailto:wells@example.org"
    )


def test_images_by_url_are_kept_with_alt_and_title() -> None:
    rendered = render_markdown('![Cement log](https://example.org/log.png "CBL")')

    assert _attrs(rendered.html, "img") == [{"src": "https://example.org/log.png", "alt": "Cement log", "title": "CBL"}]


def test_images_with_a_data_url_lose_their_source() -> None:
    rendered = render_markdown("![pixel](data:image/png;base64,iVBORw0KGgo=)")

    assert [attrs.get("src") for attrs in _attrs(rendered.html, "img")] == [None]


# --- Mentions -------------------------------------------------------------------------------------


def test_mention_is_linked_to_the_profile_when_the_resolver_allows_it() -> None:
    rendered = render_markdown("Ask @Alice about it.", resolve_mentions=_allow("alice"))

    assert _attrs(rendered.html, "a") == [{"href": "/people/alice/", "class": "mention", "rel": "nofollow noopener"}]
    assert ">@Alice</a>" in rendered.html
    assert rendered.mentions == ["alice"]


def test_mention_uses_the_given_profile_url() -> None:
    rendered = render_markdown(
        "Thanks @alice", resolve_mentions=_allow("alice"), profile_url=lambda name: f"/u/{name}/"
    )

    assert _attrs(rendered.html, "a")[0]["href"] == "/u/alice/"


def test_mention_the_resolver_refuses_stays_plain_text_and_is_not_returned() -> None:
    rendered = render_markdown("Ask @alice and @mallory.", resolve_mentions=_allow("alice"))

    assert [a["href"] for a in _attrs(rendered.html, "a")] == ["/people/alice/"]
    assert "@mallory." in rendered.html
    assert rendered.mentions == ["alice"]


def test_mentions_are_plain_text_without_a_resolver() -> None:
    rendered = render_markdown("Ask @alice.")

    assert _tags(rendered.html) == ["p"]
    assert rendered.mentions == []


def test_resolver_receives_lower_cased_candidates_and_each_person_is_returned_once() -> None:
    resolver = _allow("alice")
    rendered = render_markdown("@Alice, @ALICE and @bob.", resolve_mentions=resolver)

    assert resolver.seen == [{"alice", "bob"}]  # type: ignore[attr-defined]
    assert rendered.mentions == ["alice"]
    assert len(_attrs(rendered.html, "a")) == 2


def test_mentions_inside_code_and_links_are_ignored() -> None:
    source = "`@alice` and\n\n```\n@alice\n```\n\n    @alice\n\n[@alice](https://example.org) <https://x.org/@alice>"
    resolver = _allow("alice")
    rendered = render_markdown(source, resolve_mentions=resolver)

    assert rendered.mentions == []
    assert all(attrs.get("class") != "mention" for attrs in _attrs(rendered.html, "a"))
    assert resolver.seen == []  # type: ignore[attr-defined]
    assert mention_candidates(source) == set()


def test_email_addresses_and_paths_are_not_mentions() -> None:
    assert mention_candidates("write to bob@alice.org or see /people/@alice") == set()


def test_mention_candidates_drop_a_trailing_full_stop() -> None:
    assert mention_candidates("Thanks @bob.smith. And @carol.") == {"bob.smith", "carol"}


# --- Dangerous content ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "kept"),
    [
        ("<script>alert('x')</script>after", "after"),
        ("<SCRIPT type='text/javascript'>alert(1)</SCRIPT>after", "after"),
        ("<style>body { display: none }</style>after", "after"),
        ('<iframe src="https://evil.example/">inner text</iframe>after', "after"),
        ('<object data="evil.swf"><param name="x" value="y">fallback</object>after', "after"),
        ('<embed src="evil.swf">after', "after"),
        ("<noscript><p>nojs</p></noscript>after", "after"),
    ],
)
@pytest.mark.parametrize("render", ["markdown", "sanitize"])
def test_script_style_iframe_and_object_are_removed_with_their_contents(source: str, kept: str, render: str) -> None:
    html = render_markdown(source).html if render == "markdown" else sanitize_html(source)

    assert kept in html
    assert _dangers(html) == []
    for inner in ("alert", "display: none", "inner text", "fallback", "nojs", "evil"):
        assert inner not in html


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "JAVASCRIPT:alert(1)",
        " javascript:alert(1)",
        "\x01\x02javascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "java&#x09;script:alert(1)",
        "&#106;avascript:alert(1)",
        "&#x6A;&#x61;&#x76;&#x61;script&#x3A;alert(1)",
        "&#0000106&#0000097vascript:alert(1)",
        "javascript&colon;alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "DaTa:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "VBScript:msgbox(1)",
    ],
)
@pytest.mark.parametrize("render", ["markdown", "sanitize"])
def test_dangerous_urls_are_removed_even_when_obfuscated(url: str, render: str) -> None:
    source = f'<a href="{url}">link</a> <img src="{url}" alt="pic">'
    html = render_markdown(source).html if render == "markdown" else sanitize_html(source)

    assert _dangers(html) == []
    assert [a.get("href") for a in _attrs(html, "a")] == [None]
    assert [img.get("src") for img in _attrs(html, "img")] == [None]
    assert "link" in html


@pytest.mark.parametrize(
    "source",
    [
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](<javascript:alert(1)>)",
        "[click](data:text/html,hi)",
        "[click](vbscript:msgbox)",
        "![img](javascript:alert(1))",
        "<javascript:alert(1)>",
        "[click][ref]\n\n[ref]: javascript:alert(1)",
    ],
)
def test_dangerous_urls_in_markdown_links_never_become_links(source: str) -> None:
    html = render_markdown(source).html

    assert _dangers(html) == []
    assert all("href" not in attrs for attrs in _attrs(html, "a"))


@pytest.mark.parametrize(
    "source",
    [
        '<img src="https://example.org/x.png" onerror="alert(1)">',
        '<a href="https://example.org/" onclick="steal()" onmouseover="x()">a</a>',
        "<div onload=x ONERROR=y OnFocus=z>d</div>",
        '<p onpointerenter="x" onanimationstart="y">p</p>',
        '<details open ontoggle="alert(1)"><summary>s</summary>d</details>',
    ],
)
@pytest.mark.parametrize("render", ["markdown", "sanitize"])
def test_event_handler_attributes_are_removed(source: str, render: str) -> None:
    html = render_markdown(source).html if render == "markdown" else sanitize_html(source)

    assert _dangers(html) == []
    assert "alert" not in html and "steal" not in html


def test_safe_attributes_survive_next_to_removed_event_handlers() -> None:
    html = sanitize_html('<img src="https://example.org/x.png" alt="x" onerror="alert(1)">')

    assert _attrs(html, "img") == [{"src": "https://example.org/x.png", "alt": "x"}]


@pytest.mark.parametrize("render", ["markdown", "sanitize"])
def test_style_attributes_are_removed(render: str) -> None:
    source = '<p style="position:fixed;top:0">text</p><span STYLE="background:url(javascript:alert(1))">s</span>'
    html = render_markdown(source).html if render == "markdown" else sanitize_html(source)

    assert "text" in html
    assert all(name != "style" for _, attrs in _elements(html) for name, _ in attrs)
    assert "position" not in html and "background" not in html


def test_classes_outside_the_allow_list_are_removed() -> None:
    html = sanitize_html('<p class="admin-banner">x</p><code class="language-sql evil">y</code>')

    assert _attrs(html, "p") == [{}]
    assert _attrs(html, "code") == [{"class": "language-sql"}]


def test_html_comments_are_removed() -> None:
    assert "<!--" not in sanitize_html("a<!-- <script>alert(1)</script> -->b")


def test_nested_tag_tricks_do_not_rebuild_a_script() -> None:
    for source in ("<scr<script>ipt>alert(1)</script>", "<<script>script>alert(1)<</script>/script>"):
        for html in (sanitize_html(source), render_markdown(source).html):
            assert _dangers(html) == []
            assert "<script" not in html.lower()


def test_rendered_type_carries_html_text_and_mentions() -> None:
    rendered = render_markdown("hello")

    assert isinstance(rendered, Rendered)
    assert (rendered.html.strip(), rendered.text, rendered.mentions) == ("<p>hello</p>", "hello", [])


# --- Property: no random hostile input gets through -----------------------------------------------

HOSTILE_TAGS = [
    "script", "style", "iframe", "object", "embed", "svg", "math", "form", "input", "textarea", "base", "link",
    "meta", "frame", "frameset", "template", "noscript", "xmp", "plaintext", "applet", "audio", "video", "source",
]
HARMLESS_TAGS = ["a", "img", "p", "div", "span", "code", "pre", "table", "td", "details", "b", "blockquote"]
EVENT_ATTRIBUTES = [
    "onerror", "onclick", "onload", "onmouseover", "onfocus", "ontoggle", "onanimationstart", "ONERROR", "OnClick",
    "onpointerenter", "onbegin",
]
URL_ATTRIBUTES = ["href", "src", "xlink:href", "action", "formaction", "data", "srcset", "background", "poster"]
OTHER_ATTRIBUTES = ["style", "STYLE", "class", "id", "title", "alt", "rel", "target", "width"]
SCHEMES = ["javascript", "data", "vbscript", "https", "mailto"]
PAYLOADS = ["alert(1)", "text/html,<script>alert(1)</script>", "msgbox(1)", "//example.org/", "x@example.org"]


@st.composite
def obfuscated(draw: st.DrawFn, text: str) -> str:
    """``text`` with random case, character references and ignorable characters, as attackers write it."""
    out = []
    for char in text:
        choice = draw(st.integers(0, 7))
        if choice == 0:
            char = char.swapcase()
        elif choice == 1:
            char = f"&#{ord(char)};"
        elif choice == 2:
            char = f"&#x{ord(char):X};"
        elif choice == 3:
            char = f"&#{'0' * draw(st.integers(0, 4))}{ord(char)}"  # no semicolon, leading zeros
        elif choice == 4:
            char = draw(st.sampled_from(["\t", "\n", "\r", "&#9;", "&#10;", "&Tab;", "&NewLine;"])) + char
        out.append(char)
    if draw(st.booleans()):
        out.insert(0, draw(st.sampled_from([" ", "\x01", "\x00", "\x1f", "&#0;", "  \t", "\x7f"])))
    return "".join(out)


@st.composite
def hostile_urls(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(SCHEMES))
    colon = draw(st.sampled_from([":", "&colon;", "&#58;", "&#x3a;"]))
    return draw(obfuscated(scheme)) + colon + draw(st.sampled_from(PAYLOADS))


def _quote(value: str, quote: str) -> str:
    return f"{quote}{value.replace(quote, '')}{quote}" if quote else value.replace(" ", "").replace(">", "")


@st.composite
def attributes(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(EVENT_ATTRIBUTES + URL_ATTRIBUTES + OTHER_ATTRIBUTES))
    if name in URL_ATTRIBUTES or draw(st.booleans()):
        value = draw(hostile_urls())
    else:
        value = draw(st.sampled_from(["alert(1)", "color:red", "x", "expression(alert(1))", "language-python"]))
    quote = draw(st.sampled_from(['"', "'", ""]))
    separator = draw(st.sampled_from([" ", "\n", "/", "\t"]))
    return f"{separator}{name}={_quote(value, quote)}"


random_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)) | st.sampled_from("<>&\"'=`:;/\\[]()!@*_#-|~\n"),
    max_size=20,
)

markdown_bits = st.builds(
    lambda kind, label, url: {
        "link": f"[{label}]({url})",
        "image": f"![{label}]({url})",
        "autolink": f"<{url}>",
        "reference": f"[{label}][r]\n\n[r]: {url}\n",
        "code": f"```{label}\n{url}\n```\n",
    }[kind],
    st.sampled_from(["link", "image", "autolink", "reference", "code"]),
    random_text,
    hostile_urls(),
)


def _element(tag: str, attrs: list[str], children: list[str], closed: bool, case: bool) -> str:
    name = tag.upper() if case else tag
    return f"<{name}{''.join(attrs)}>{''.join(children)}" + (f"</{name}>" if closed else "")


hostile_tree = st.recursive(
    random_text | markdown_bits | st.sampled_from(["<!--", "-->", "<![CDATA[", "]]>", "</", "<", "\n\n", "&"]),
    lambda children: st.builds(
        _element,
        st.sampled_from(HOSTILE_TAGS + HARMLESS_TAGS),
        st.lists(attributes(), max_size=4),
        st.lists(children, max_size=4),
        st.booleans(),
        st.booleans(),
    ),
    max_leaves=25,
)
hostile_html = st.lists(hostile_tree, min_size=1, max_size=4).map("".join)


def test_the_danger_check_itself_finds_what_the_property_test_looks_for() -> None:
    # If this check were blind, the property test below could never fail.
    assert _dangers("<p>ok</p><a href='https://x.org/'>x</a>") == []
    assert _dangers("<SCRIPT>x</SCRIPT>") == ["<script>"]
    assert _dangers("<embed><iframe></iframe><object></object><style></style>") == [
        "<embed>", "<iframe>", "<object>", "<style>"
    ]
    assert _dangers('<img OnError="x">') == ["img[onerror]"]
    assert _dangers('<p style="x">') == ["p[style]"]
    assert len(_dangers('<a href=" &#x0A;JaVa&#9;script&colon;alert(1)">')) == 1
    assert len(_dangers('<img src="\x01data:image/png,x">')) == 1
    assert len(_dangers('<a href="VBSCRIPT:x">')) == 1


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=hostile_html)
def test_no_random_hostile_html_or_markdown_survives_rendering_or_sanitising(source: str) -> None:
    for html in (render_markdown(source, resolve_mentions=_allow("alice")).html, sanitize_html(source)):
        assert _dangers(html) == [], (source, html)
        # Sanitising is stable: what comes out is already clean.
        assert _dangers(sanitize_html(html)) == [], (source, html)
