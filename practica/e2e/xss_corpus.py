"""The XSS corpus: strings that run script if any page renders user text unsafely.

Written for Practica (not copied from a published list). Every vector, if it ever executes, calls
``__xss(<id>)`` or ``alert(<id>)`` / ``confirm(<id>)`` / ``prompt(<id>)`` (or fetches ``/__xss/<id>`` for the
htmx ones), so a browser test can say which vector ran. Ids are stable: add new vectors at the end with the next
id, never renumber. ``test_xss_corpus.py`` puts them in every rendered user field and checks the pages in Chromium.

Some vectors are multi-line Markdown (raw HTML blocks, reference links, fenced code): they matter in Markdown
bodies; in one-line fields (titles, names) their line breaks fold into spaces, which is also worth trying.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Vector:
    """One attack string; ``kind`` groups it for the report."""

    id: int
    kind: str
    payload: str


_V = Vector

VECTORS: tuple[Vector, ...] = (
    # --- script elements, in many spellings ---------------------------------------------------------
    _V(1, "script", "<script>__xss(1)</script>"),
    _V(2, "script", "<SCRIPT>__xss(2)</SCRIPT>"),
    _V(3, "script", "<ScRiPt>alert(3)</sCrIpT>"),
    _V(4, "script", "<script src=data:,__xss(4)></script>"),
    _V(5, "script", "<script/x>__xss(5)</script>"),
    _V(6, "script", "<<script>__xss(6);//<</script>"),
    _V(7, "script", "<script\n>__xss(7)</script\n>"),
    _V(8, "script", "%3Cscript%3E__xss(8)%3C%2Fscript%3E"),
    _V(9, "script", "&lt;script&gt;__xss(9)&lt;/script&gt;"),
    _V(10, "script", "\\u003cscript\\u003e__xss(10)\\u003c/script\\u003e"),
    _V(11, "script", "<scr<script>ipt>__xss(11)</scr</script>ipt>"),
    _V(12, "script", "<script type=module>__xss(12)</script>"),
    _V(13, "script", "\uff1cscript\uff1e__xss(13)\uff1c/script\uff1e"),
    _V(14, "script", "<script>/*</script><svg onload=__xss(14)>*/</script>"),
    # --- event handlers ---------------------------------------------------------------------------------
    _V(15, "handler", "<img src=x onerror=__xss(15)>"),
    _V(16, "handler", "<IMG SRC=x OnErRoR=alert(16)>"),
    _V(17, "handler", '<img src=x onerror="&#95;&#95;xss(17)">'),
    _V(18, "handler", "<img/src/onerror=__xss(18)>"),
    _V(19, "handler", "<svg onload=__xss(19)>"),
    _V(20, "handler", "<svg/onload=confirm(20)//"),
    _V(21, "handler", "<body onload=__xss(21)>"),
    _V(22, "handler", "<details open ontoggle=__xss(22)>"),
    _V(23, "handler", "<video src=x onerror=__xss(23)></video>"),
    _V(24, "handler", "<audio src=x onerror=__xss(24)>"),
    _V(25, "handler", "<video><source onerror=__xss(25)></video>"),
    _V(26, "handler", "<input autofocus onfocus=__xss(26)>"),
    _V(27, "handler", "<select autofocus onfocus=__xss(27)>"),
    _V(28, "handler", "<textarea autofocus onfocus=prompt(28)>"),
    _V(29, "handler", "<marquee onstart=__xss(29)>m</marquee>"),
    _V(30, "handler", "<div onmouseover=__xss(30)>hover</div>"),
    _V(31, "handler", "<a href=# onclick=__xss(31)>x</a>"),
    _V(32, "handler", "<img src=x:x onerror=[32].find(alert)>"),
    _V(33, "handler", "<img src=x onerror=eval(atob('X194c3MoMzMp'))>"),
    _V(34, "handler", "<img src=x onerror=alert`34`>"),
    _V(35, "handler", "<img src onerror=top['__x'+'ss'](35)>"),
    _V(36, "handler", "<img src=x onerror=\\u005f\\u005fxss(36)>"),
    _V(37, "handler", "<img src=x onerror=&#x5f;&#x5f;xss(37)>"),
    _V(38, "handler", "<style onload=__xss(38)></style>"),
    _V(39, "handler", "<iframe onload=__xss(39)></iframe>"),
    _V(40, "handler", "<object data=x onerror=__xss(40)></object>"),
    _V(41, "handler", "<img src=x onerror\n=__xss(41)>"),
    _V(42, "handler", "<img src=x onerror=__xss(42)//"),
    # --- javascript:, vbscript: and data: URLs, in HTML and Markdown --------------------------------------
    _V(43, "url", '<a href="javascript:__xss(43)">x</a>'),
    _V(44, "url", '<a href="JaVaScRiPt:__xss(44)">x</a>'),
    _V(45, "url", '<a href="&#106;avascript:__xss(45)">x</a>'),
    _V(46, "url", '<a href="jav&#x09;ascript:__xss(46)">x</a>'),
    _V(47, "url", '<a href="jav\tascript:__xss(47)">x</a>'),
    _V(48, "url", '<a href=" javascript:__xss(48)">x</a>'),
    _V(49, "url", '<a href="java&#0;script:__xss(49)">x</a>'),
    _V(50, "url", '<a href="java&#10;script:__xss(50)">x</a>'),
    _V(51, "url", '<a href="javascript&colon;__xss(51)">x</a>'),
    _V(52, "url", '<a href="vbscript:__xss(52)">x</a>'),
    _V(53, "url", '<a href="data:text/html,<script>__xss(53)</script>">x</a>'),
    _V(54, "url", '<a href="data:text/html;base64,PHNjcmlwdD5fX3hzcyg1NCk8L3NjcmlwdD4=">x</a>'),
    _V(55, "url", '<img src="javascript:__xss(55)">'),
    _V(56, "url", '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;__xss(56)">x</a>'),
    _V(57, "url", '<a href="&#0000106avascript:__xss(57)">x</a>'),
    _V(58, "url", '<a href="%6Aavascript:__xss(58)">x</a>'),
    _V(59, "url", "javascript:__xss(59)"),
    _V(60, "markdown-url", "[x](javascript:__xss(60))"),
    _V(61, "markdown-url", "[x](JAVASCRIPT:alert(61))"),
    _V(62, "markdown-url", "[x](javascript&#58;__xss(62))"),
    _V(63, "markdown-url", "[x](<javascript:__xss(63)>)"),
    _V(64, "markdown-url", "![x](javascript:__xss(64))"),
    _V(65, "markdown-url", "![x](data:text/html,<script>__xss(65)</script>)"),
    _V(66, "markdown-url", "[x][r66]\n\n[r66]: javascript:__xss(66)"),
    _V(67, "markdown-url", "<javascript:__xss(67)>"),
    _V(68, "markdown-url", "[x](data:text/html;base64,PHNjcmlwdD5fX3hzcyg2OCk8L3NjcmlwdD4=)"),
    _V(69, "markdown-url", "[x](vbscript:__xss(69))"),
    _V(70, "markdown-url", "[x]( javascript:__xss(70) 't')"),
    _V(71, "markdown-url", "[x](java%00script:__xss(71))"),
    _V(72, "markdown-url", "![x][i72]\n\n[i72]: javascript:__xss(72)"),
    # --- frames, objects, base, refresh, forms ---------------------------------------------------------
    _V(73, "embed", '<iframe src="javascript:__xss(73)"></iframe>'),
    _V(74, "embed", '<iframe srcdoc="<script>top.__xss(74)</script>"></iframe>'),
    _V(75, "embed", '<object data="javascript:__xss(75)"></object>'),
    _V(76, "embed", '<embed src="javascript:__xss(76)">'),
    _V(77, "embed", '<base href="javascript:__xss(77)//">'),
    _V(78, "embed", '<meta http-equiv="refresh" content="0;url=javascript:__xss(78)">'),
    _V(79, "embed", '<form action="javascript:__xss(79)"><input type=submit></form>'),
    _V(80, "embed", "<form><button formaction=javascript:__xss(80)>x</button></form>"),
    _V(81, "embed", '<link rel=import href="data:text/html,<script>__xss(81)</script>">'),
    _V(82, "embed", '<embed src="data:image/svg+xml,<svg onload=top.__xss(82) xmlns=%22http://www.w3.org/2000/svg%22>">'),
    # --- style ------------------------------------------------------------------------------------------
    _V(83, "style", '<div style="background:url(javascript:__xss(83))">x</div>'),
    _V(84, "style", '<div style="width:expression(__xss(84))">x</div>'),
    _V(85, "style", "<style>@import 'javascript:__xss(85)';</style>"),
    _V(86, "style", '<style>*{background:url("javascript:__xss(86)")}</style>'),
    _V(87, "style", '<p style="x:\\65xpression(__xss(87))">x</p>'),
    # --- SVG ----------------------------------------------------------------------------------------------
    _V(88, "svg", "<svg><script>__xss(88)</script></svg>"),
    _V(89, "svg", "<svg><script href=data:,__xss(89) /></svg>"),
    _V(90, "svg", "<svg><animate onbegin=__xss(90) attributeName=x dur=1s>"),
    _V(91, "svg", "<svg><a><set attributeName=href to=javascript:__xss(91) /><text y=9>x</text></a></svg>"),
    _V(92, "svg", "<svg><use href=\"data:image/svg+xml,<svg id='u' xmlns='http://www.w3.org/2000/svg'><image href='x' onerror='__xss(92)'/></svg>#u\"/></svg>"),
    _V(93, "svg", '<svg><a xlink:href="javascript:__xss(93)"><text y=9>x</text></a></svg>'),
    _V(94, "svg", "<svg><foreignObject><img src=x onerror=__xss(94)></foreignObject></svg>"),
    _V(95, "svg", "<svg><image href=x onerror=__xss(95) /></svg>"),
    # --- MathML -----------------------------------------------------------------------------------------
    _V(96, "mathml", "<math><mtext><table><mglyph><style><img src=x onerror=__xss(96)>"),
    _V(97, "mathml", '<math href="javascript:__xss(97)">x</math>'),
    _V(98, "mathml", "<math><maction actiontype=statusline xlink:href=javascript:__xss(98)>x</maction></math>"),
    _V(99, "mathml", "<math><mi xlink:href=\"data:x,<script>__xss(99)</script>\">x</mi></math>"),
    # --- breaking out of raw-text elements, and mutation XSS ---------------------------------------------
    _V(100, "breakout", "</title><script>__xss(100)</script>"),
    _V(101, "breakout", "</textarea><script>__xss(101)</script>"),
    _V(102, "breakout", "</noscript><img src=x onerror=__xss(102)>"),
    _V(103, "breakout", "<template><img src=x onerror=__xss(103)></template>"),
    _V(104, "breakout", "</style><img src=x onerror=__xss(104)>"),
    _V(105, "breakout", "</script><img src=x onerror=__xss(105)>"),
    _V(106, "mxss", '<noscript><p title="</noscript><img src=x onerror=__xss(106)>">'),
    _V(107, "mxss", "<xmp><p title=\"</xmp><img src=x onerror=__xss(107)>\">"),
    _V(108, "mxss", '<iframe><p title="</iframe><img src=x onerror=__xss(108)>"></iframe>'),
    _V(109, "mxss", '<svg></p><style><a id="</style><img src=x onerror=__xss(109)>">'),
    _V(110, "mxss", "<form><math><mtext></form><form><mglyph><style></math><img src=x onerror=__xss(110)>"),
    _V(111, "mxss", '<math><mtext><h1><a><h6></a></h6><mglyph><svg><mtext><style><a title="</style><img src onerror=__xss(111)>">'),
    _V(112, "mxss", '<select><template><style><!--</style><a rel="--></style></template></select><img src=x onerror=__xss(112)>">'),
    _V(113, "comment", "<!--><img src=x onerror=__xss(113)>-->"),
    _V(114, "comment", "<!-- --!><img src=x onerror=__xss(114)> -->"),
    _V(115, "comment", "<![CDATA[><img src=x onerror=__xss(115)>]]>"),
    _V(116, "comment", '<svg><![CDATA[><image xlink:href="]]><img src=x onerror=__xss(116)>"></svg>'),
    _V(117, "comment", "<?x ><img src=x onerror=__xss(117)>?>"),
    # --- breaking out of attributes ----------------------------------------------------------------------
    _V(118, "attribute", '"><script>__xss(118)</script>'),
    _V(119, "attribute", "'><img src=x onerror=__xss(119)>"),
    _V(120, "attribute", '" autofocus onfocus="__xss(120)'),
    _V(121, "attribute", "' autofocus onfocus='__xss(121)"),
    _V(122, "attribute", "` autofocus onfocus=__xss(122) x=`"),
    _V(123, "attribute", '"><svg onload=__xss(123)>'),
    _V(124, "attribute", "x\" onmouseover=\"__xss(124)\" y=\""),
    # --- Markdown that turns into HTML --------------------------------------------------------------------
    _V(125, "markdown", "<div>\n<img src=x onerror=__xss(125)>\n</div>"),
    _V(126, "markdown", '[x](https://example.org "a\\" onmouseover=\\"__xss(126)")'),
    _V(127, "markdown", "[x](https://example.org 'b\\' onclick=__xss(127) x=\\'')"),
    _V(128, "markdown", '![a" onerror="__xss(128)](x)'),
    _V(129, "markdown", "[<img src=x onerror=__xss(129)>](https://example.org)"),
    _V(130, "markdown", "`<img src=x onerror=__xss(130)>`"),
    _V(131, "markdown", "```html\n<script>__xss(131)</script>\n```"),
    _V(132, "markdown", '<https://example.org/"onmouseover="__xss(132)>'),
    _V(133, "markdown", '[x](https://example.org/?"><script>__xss(133)</script>)'),
    _V(134, "markdown", "<a href=\"https://example.org\" title=\"&quot;&gt;&lt;script&gt;__xss(134)&lt;/script&gt;\">x</a>"),
    _V(135, "markdown", "| a |\n|---|\n| <img src=x onerror=__xss(135)> |"),
    _V(136, "markdown", "> <details open ontoggle=__xss(136)>"),
    _V(137, "markdown", "@<img src=x onerror=__xss(137)>"),
    _V(138, "markdown", "<a href=\"https://example.org\" target=\"_blank\" rel=\"opener\" onfocus=\"__xss(138)\" autofocus>x</a>"),
    # --- JSON and JavaScript string contexts ---------------------------------------------------------------
    _V(139, "js", "</script><svg onload=__xss(139)>"),
    _V(140, "js", "'-__xss(140)-'"),
    _V(141, "js", '"-__xss(141)-"'),
    _V(142, "js", "${__xss(142)}"),
    _V(143, "js", '\\";__xss(143);//'),
    _V(144, "js", '{"a":"</script><script>__xss(144)</script>"}'),
    _V(145, "js", "\u2028__xss(145)//'\""),
    _V(146, "js", "-->__xss(146)<!--"),
    # --- template injection (server and client) ---------------------------------------------------------------
    _V(147, "template", "{{constructor.constructor('__xss(147)')()}}"),
    _V(148, "template", "{{'<img src=x onerror=__xss(148)>'|safe}}"),
    _V(149, "template", "{% autoescape off %}<img src=x onerror=__xss(149)>{% endautoescape %}"),
    _V(150, "template", '{{"xss"|add:"150"}}{% debug %}{{7*7}}'),
    # --- htmx attributes ---------------------------------------------------------------------------------------
    _V(151, "htmx", '<div hx-get="/__xss/151" hx-trigger="load">x</div>'),
    _V(152, "htmx", '<button hx-on:click="__xss(152)">x</button>'),
    _V(153, "htmx", '<div hx-on::load="__xss(153)">x</div>'),
    _V(154, "htmx", '<img src=x hx-on:htmx:load="__xss(154)">'),
    _V(155, "htmx", '<div data-hx-get="/__xss/155" data-hx-trigger="load">x</div>'),
    _V(156, "htmx", '<a hx-post="/__xss/156" hx-trigger="load" hx-target="body">x</a>'),
    _V(157, "htmx", "<div hx-vals='js:{a:__xss(157)}' hx-get=\"/__xss/157\" hx-trigger=load>x</div>"),
    _V(158, "htmx", '<p hx-swap-oob="beforeend:body"><img src=x onerror=__xss(158)></p>'),
    # --- URL and query contexts ------------------------------------------------------------------------------------
    _V(159, "url-context", 'https://example.org/"><svg onload=__xss(159)>'),
    _V(160, "url-context", "https://example.org/#<img src=x onerror=__xss(160)>"),
    _V(161, "url-context", "//example.org/%22%3E%3Csvg%20onload=__xss(161)%3E"),
    _V(162, "url-context", "/%0d%0aContent-Type:text/html%0d%0a%0d%0a<script>__xss(162)</script>"),
    _V(163, "url-context", "?next=javascript:__xss(163)&q=%3Cscript%3E__xss(163)%3C/script%3E"),
    _V(164, "url-context", "https://example.org/?a='onmouseover='__xss(164)"),
    _V(165, "url-context", 'https://example.org/"><svg/onload=__xss(165)>'),
    _V(166, "url-context", 'https://example.org/#"onfocus="__xss(166)"autofocus="'),
    _V(167, "url-context", "http://example.org/'><img/src/onerror=__xss(167)>"),
)

BY_ID: dict[int, Vector] = {v.id: v for v in VECTORS}

# What the page's text would contain if a server-side template had *evaluated* a vector (rendered as text it
# never does): vector 150 adds "xss" and "150" only when run through Django's template engine.
EVALUATION_MARKERS: dict[int, str] = {150: "xss150"}

_ID_RE = re.compile(
    r"(?:xss|alert|confirm|prompt)\s*(?:\(|`)\s*['\"]?(\d+)"  # a call, however written
    r"|ss'\]\((\d+)"  # top['__x'+'ss'](n)
    r"|\[(\d+)\]\.find"  # [n].find(alert)
    r"|/__xss/(\d+)"  # htmx fetches
    r"|xss['\"]?\s*\|\s*add:['\"]?(\d+)"  # the template marker
)
_BASE64_RE = re.compile(r"(?:base64,|atob\(['\"])([A-Za-z0-9+/]{8,}=*)")


def ids_in(text: str) -> list[int]:
    """The vector ids a piece of page (an attribute, an element's HTML, a dialog message) points at."""
    found: list[int] = []
    for match in _ID_RE.finditer(text or ""):
        number = int(next(group for group in match.groups() if group))
        if number in BY_ID and number not in found:
            found.append(number)
    for encoded in _BASE64_RE.findall(text or ""):
        try:
            decoded = base64.b64decode(encoded + "=" * (-len(encoded) % 4)).decode("utf-8", "replace")
        except ValueError:
            continue
        found += [i for i in ids_in(decoded) if i not in found]
    stripped = (text or "").strip()
    if not found and stripped.isdigit() and int(stripped) in BY_ID:
        found.append(int(stripped))
    return found


def describe(ids: Iterable[int]) -> str:
    """``#15 (handler) <img src=x onerror=__xss(15)>`` for each id, for failure messages."""
    return "; ".join(f"#{i} ({BY_ID[i].kind}) {BY_ID[i].payload!r}" for i in ids if i in BY_ID)


def pack(
    vectors: Sequence[Vector], limit: int, *, separator: str = " ", prefix: str = "", one_line: bool = False
) -> list[tuple[str, list[int]]]:
    """Pack vectors greedily, in order, into strings of at most ``limit`` characters.

    Each string is ``prefix`` followed by whole vectors joined by ``separator``; with ``one_line`` the vectors'
    line breaks and tabs become spaces (as one-line fields fold them anyway, so the length is what is stored).
    Vectors that cannot fit a string of this limit are left out. Returns ``(text, ids)`` pairs.
    """
    chunks: list[tuple[str, list[int]]] = []
    text, ids = "", list[int]()
    for vector in vectors:
        payload = " ".join(vector.payload.split()) if one_line else vector.payload
        if len(prefix) + len(payload) > limit:
            continue
        if ids and len(text) + len(separator) + len(payload) <= limit:
            text, ids = f"{text}{separator}{payload}", [*ids, vector.id]
        else:
            if ids:
                chunks.append((text, ids))
            text, ids = prefix + payload, [vector.id]
    if ids:
        chunks.append((text, ids))
    return chunks
