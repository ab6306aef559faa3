"""User text: Markdown rendered once on save, then sanitised against an allow-list.

``render_markdown`` turns CommonMark (plus tables and strikethrough) into safe HTML, links ``@username``
mentions that the caller allows, and returns the plain text for search. ``sanitize_html`` applies the same
allow-list to HTML from elsewhere (for example a Stack Exchange dump).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt", "em", "h1", "h2",
    "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "s", "span", "strike", "strong",
    "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"align", "colspan", "rowspan"},
    "td": {"align", "colspan", "rowspan"},
    "ol": {"start"},
    "abbr": {"title"},
}
ALLOWED_CLASSES = {"code": {f"language-{lang}" for lang in (
    "python", "sql", "bash", "shell", "json", "yaml", "javascript", "typescript", "html", "css", "java", "c",
    "cpp", "go", "rust", "r", "matlab", "text", "qsharp", "latex", "math",
)}, "a": {"mention"}}
URL_SCHEMES = {"http", "https", "mailto"}
# Everything inside these is dropped, not only the tags.
DROP_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "noscript", "template", "textarea", "select"}

_BREAK_RE = re.compile(r"<(?:br|/p|/li|/h\d|/pre|/tr|/blockquote)\s*/?>")
_TAG_RE = re.compile(r"<[^>]*>")
_BLANK_LINES_RE = re.compile(r"\n\n\n+")  # (not \n{3,}: that form is ten times slower to search)
MENTION_RE = re.compile(r"(?<![\w@/.])@([A-Za-z0-9_][A-Za-z0-9_.+-]{0,149})")

_md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)


@dataclass
class Rendered:
    html: str
    text: str
    mentions: list[str] = field(default_factory=list)


# Built once: configuring the sanitiser costs far more than cleaning a short text.
_CLEANER = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags=DROP_WITH_CONTENT,
    attributes=ALLOWED_ATTRIBUTES,
    allowed_classes=ALLOWED_CLASSES,
    url_schemes=URL_SCHEMES,
    link_rel="nofollow noopener",
    strip_comments=True,
)


def sanitize_html(raw: str) -> str:
    """Keep only allow-listed tags, attributes and URL schemes; links get ``rel="nofollow noopener"``."""
    return _CLEANER.clean(raw)


def html_to_text(safe_html: str) -> str:
    """Plain text of (already sanitised) HTML, for search and previews."""
    # The input is the sanitiser's output (well-formed, no comments or scripts), so removing tags is enough.
    text = html.unescape(_TAG_RE.sub("", _BREAK_RE.sub("\n", safe_html)))
    if "\n\n\n" in text:
        text = _BLANK_LINES_RE.sub("\n\n", text)
    # Runs of spaces and tabs become one space. (A regular expression did the same four times slower: it
    # matched every single space between words; an import converts tens of thousands of posts.)
    if "\t" in text:
        text = text.replace("\t", " ")
    while "  " in text:
        text = text.replace("  ", " ")
    return text.strip()


def _text_tokens(tokens: Iterable[Token]) -> Iterable[tuple[Token, int, Token]]:
    """(inline token, index, child) for each text child outside links."""
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        depth = 0
        for index, child in enumerate(token.children):
            if child.type == "link_open":
                depth += 1
            elif child.type == "link_close":
                depth -= 1
            elif child.type == "text" and depth == 0:
                yield token, index, child


def mention_candidates(source: str) -> set[str]:
    """Usernames written as ``@name`` outside code and links (lower case)."""
    names: set[str] = set()
    for _, _, child in _text_tokens(_md.parse(source)):
        names.update(m.group(1).rstrip(".").lower() for m in MENTION_RE.finditer(child.content))
    return names


def render_markdown(
    source: str,
    *,
    resolve_mentions: Callable[[set[str]], dict[str, str]] | None = None,
    profile_url: Callable[[str], str] = lambda username: f"/people/{username}/",
) -> Rendered:
    """Render Markdown to sanitised HTML.

    ``resolve_mentions`` receives the lower-cased candidate usernames and returns ``{lower: username}`` for those
    who may be mentioned (they exist and can see the content); only those become links and are returned.
    """
    tokens = _md.parse(source)
    allowed: dict[str, str] = {}
    if resolve_mentions is not None:
        candidates = {
            m.group(1).rstrip(".").lower()
            for _, _, child in _text_tokens(tokens)
            for m in MENTION_RE.finditer(child.content)
        }
        if candidates:
            allowed = resolve_mentions(candidates)
    mentioned: list[str] = []
    if allowed:
        for inline, _, child in list(_text_tokens(tokens)):
            parts = _split_mentions(child, allowed, mentioned, profile_url)
            if parts is not None and inline.children is not None:
                position = inline.children.index(child)
                inline.children[position : position + 1] = parts
    rendered = _md.renderer.render(tokens, _md.options, {})
    safe = sanitize_html(rendered)
    return Rendered(html=safe, text=html_to_text(safe), mentions=mentioned)


def _split_mentions(
    child: Token, allowed: dict[str, str], mentioned: list[str], profile_url: Callable[[str], str]
) -> list[Token] | None:
    content = child.content
    parts: list[Token] = []
    last = 0
    for match in MENTION_RE.finditer(content):
        name = match.group(1).rstrip(".")
        username = allowed.get(name.lower())
        if username is None:
            continue
        end = match.start(1) + len(name)
        if match.start() > last:
            parts.append(Token("text", "", 0, content=content[last : match.start()]))
        link = Token("link_open", "a", 1, attrs={"href": profile_url(username), "class": "mention"})
        parts += [link, Token("text", "", 0, content="@" + name), Token("link_close", "a", -1)]
        last = end
        if username not in mentioned:
            mentioned.append(username)
    if not parts:
        return None
    if last < len(content):
        parts.append(Token("text", "", 0, content=content[last:]))
    return parts


def render_inline(source: str) -> str:
    """Render a one-paragraph text (a comment) cheaply: inline Markdown only, then the same sanitiser."""
    return sanitize_html(_md.renderInline(source))
