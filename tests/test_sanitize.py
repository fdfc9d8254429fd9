"""Whatever an entry holds, the feeds carry no HTML that could run script in a reader.

The check reads the feeds like a reader would: parse the XML, take the HTML
each element carries (Atom ``content``/``summary``/``title`` of type html,
RSS ``description`` and ``content:encoded``), parse that with html.parser
and inspect the elements and attributes it really has. Substring checks
alone would miss ``&#106;avascript:`` or flag escaped text as markup.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from feedpub.builder.pipeline import render_site
from feedpub.cli import cli
from feedpub.errors import InputError

from .conftest import NOW, MakeSite

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT_ENCODED = "{http://purl.org/rss/1.0/modules/content/}encoded"
FORMATS = ("markdown", "html", "text")

# Elements that run script, load active content, or change how the rest of
# the page is read (base, meta refresh, forms); none may reach a reader.
DANGEROUS_TAGS = frozenset(
    [
        "script",
        "style",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "form",
        "input",
        "button",
        "textarea",
        "select",
        "svg",
        "math",
        "base",
        "meta",
        "link",
        "noscript",
        "template",
        "bgsound",
        "layer",
        "ilayer",
        "xml",
    ]
)
# Every attribute that browsers treat as a URL (HTML, SVG, old IE extensions).
URL_ATTRIBUTES = frozenset(
    [
        "href",
        "src",
        "cite",
        "poster",
        "action",
        "formaction",
        "data",
        "background",
        "srcset",
        "xlink:href",
        "ping",
        "longdesc",
        "dynsrc",
        "lowsrc",
        "usemap",
        "codebase",
        "manifest",
        "icon",
        "profile",
    ]
)
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})


def url_scheme(value: str) -> str:
    """The scheme a browser would see: it drops tabs and newlines anywhere
    and C0 controls and spaces at both ends (WHATWG URL parsing)."""
    cleaned = re.sub(r"[\t\n\r]", "", value).strip("".join(map(chr, range(0x21))))
    try:
        return urlsplit(cleaned).scheme.lower() if ":" in cleaned else ""
    except ValueError:  # "http://[x": not a URL a browser would load either
        return "<unparsable>"


class HtmlAudit(HTMLParser):
    """Collect every unsafe element and attribute in an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.findings: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DANGEROUS_TAGS:
            self.findings.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.findings.append(f"<{tag} {name}=...>")
            elif name == "style":
                self.findings.append(f"<{tag} style=...>")  # url(javascript:), expression()
            elif name in URL_ATTRIBUTES and value is not None:
                # Every URL is made absolute (a scheme must be there), but for
                # links within the document (footnotes, headings): "#id".
                if not value.startswith("#") and url_scheme(value) not in SAFE_SCHEMES:
                    self.findings.append(f"<{tag} {name}={value!r}>")
                if name == "srcset" and re.search(r"(?i)(javascript|vbscript|data):", value):
                    self.findings.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag


def audit_html(fragment: str) -> list[str]:
    findings = [f"<script in {fragment!r}"] if "<script" in fragment.lower() else []
    audit = HtmlAudit()
    audit.feed(fragment)
    audit.close()
    return findings + audit.findings


def html_fragments(name: str, data: bytes) -> list[str]:
    """Every piece of HTML a reader renders from one feed document."""
    root = etree.fromstring(data)
    fragments: list[str] = []
    if name == "atom.xml":
        for element in root.iter(f"{ATOM}content", f"{ATOM}summary", f"{ATOM}title"):
            if element.get("type") == "html":
                fragments.append(element.text or "")
    else:
        for element in root.iter("description", CONTENT_ENCODED):
            fragments.append(element.text or "")
    return fragments


def feed_links(data: bytes) -> list[str]:
    """URLs the feed itself links to (entry links, enclosures, sources)."""
    root = etree.fromstring(data)
    urls = [link.get("href", "") for link in root.iter(f"{ATOM}link")]
    urls += [e.get("url", "") for e in root.iter("enclosure", "source")]
    urls += [e.text or "" for e in root.iter("link")]
    return urls


def assert_feeds_are_safe(files: dict[str, bytes]) -> None:
    for name in ("atom.xml", "rss.xml"):
        for fragment in html_fragments(name, files[name]):
            assert audit_html(fragment) == [], (name, fragment)
        for url in feed_links(files[name]):
            assert url_scheme(url) in ("http", "https"), (name, url)


def entry_yaml(content: str, fmt: str, **extra: object) -> str:
    entry = {
        "title": extra.pop("title", "Hostile"),
        "date": "2026-01-01",
        "link": "/hostile/",
        "summary": extra.pop("summary", "Summary."),
        "content": content,
        "format": fmt,
        **extra,
    }
    return yaml.safe_dump(entry, allow_unicode=True, sort_keys=False)


# -- the audit itself ------------------------------------------------------------


@pytest.mark.parametrize(
    ("fragment", "finding"),
    [
        ("<p><SCRIPT>x</SCRIPT></p>", "<script"),
        ('<img src="https://x/" onerror="alert(1)">', "onerror"),
        ('<a href="&#106;avascript:alert(1)">x</a>', "javascript:alert(1)"),
        ('<a href=" java\tscript:alert(1)">x</a>', "script:alert(1)"),
        ('<q cite="data:text/html,x">q</q>', "data:text/html,x"),
        ('<source srcset="https://x/a.png 1x, javascript:alert(1) 2x">', "srcset"),
        ("<svg><a>x</a></svg>", "<svg>"),
    ],
)
def test_audit_catches_what_it_looks_for(fragment: str, finding: str) -> None:
    """The audit is only worth something if it would fail on unsafe HTML."""
    assert any(finding in f for f in audit_html(fragment)), audit_html(fragment)


def test_audit_accepts_escaped_text_and_safe_links() -> None:
    safe = (
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; onload=x javascript:alert(1)</p>"
        '<a href="https://example.org/?q=javascript:x">ok</a><a href="mailto:a@b.org">m</a>'
    )
    assert audit_html(safe) == []


# -- a fixed list of classic vectors (OWASP XSS filter evasion and friends) -------

CLASSIC_VECTORS: list[str] = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://xss.example/xss.js></SCRIPT>",
    "<ScRiPt>alert(1)</sCrIpT>",
    '<SCRIPT/XSS SRC="https://xss.example/xss.js"></SCRIPT>',
    '<<SCRIPT>alert("XSS");//\\<</SCRIPT>',
    "<SCRIPT SRC=https://xss.example/xss.js?< B >",
    '</TITLE><SCRIPT>alert("XSS");</SCRIPT>',
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=javascript:alert('XSS')>",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
    '<IMG """><SCRIPT>alert("XSS")</SCRIPT>"\\>',
    "<IMG SRC=javascript:alert(String.fromCharCode(88,83,83))>",
    "<IMG SRC=# onmouseover=\"alert('xxs')\">",
    "<IMG SRC= onmouseover=\"alert('xxs')\">",
    '<IMG SRC=/ onerror="alert(String.fromCharCode(88,83,83))"></img>',
    "<img src=x onerror=alert(1)>",
    '<img src=x onerror="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114'
    "&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116"
    '&#0000040&#0000039&#0000088&#0000083&#0000083&#0000039&#0000041">',
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;"
    "&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>",
    "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72"
    "&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29>",
    "<IMG SRC=\"jav\tascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">",
    '<a onmouseover="alert(document.cookie)">xxs link</a>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="&#x6A;avascript&#x3A;alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="  javascript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
    "<svg/onload=alert('XSS')>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">XSS</text></a></svg>',
    '<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert("XSS")>',
    "<iframe src=https://xss.example/scriptlet.html <",
    "<IFRAME SRC=\"javascript:alert('XSS');\"></IFRAME>",
    "<FRAMESET><FRAME SRC=\"javascript:alert('XSS');\"></FRAMESET>",
    '<INPUT TYPE="IMAGE" SRC="javascript:alert(\'XSS\');">',
    "<BODY BACKGROUND=\"javascript:alert('XSS')\">",
    "<TABLE BACKGROUND=\"javascript:alert('XSS')\"><tr><td>x</td></tr></TABLE>",
    "<IMG DYNSRC=\"javascript:alert('XSS')\">",
    "<BGSOUND SRC=\"javascript:alert('XSS');\">",
    '<LINK REL="stylesheet" HREF="javascript:alert(\'XSS\');">',
    "<STYLE>li {list-style-image: url(\"javascript:alert('XSS')\");}</STYLE><UL><LI>XSS</br>",
    "<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">x</DIV>",
    "<DIV STYLE=\"width: expression(alert('XSS'));\">x</DIV>",
    '<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:alert(\'XSS\');">',
    "<BASE HREF=\"javascript:alert('XSS');//\">",
    '<OBJECT TYPE="text/x-scriptlet" DATA="https://xss.example/scriptlet.html"></OBJECT>',
    '<EMBED SRC="data:image/svg+xml;base64,PHN2Zz48c2NyaXB0PmFsZXJ0KDEpPC9zY3JpcHQ+PC9zdmc+" '
    'type="image/svg+xml" AllowScriptAccess="always"></EMBED>',
    '<form action="javascript:alert(1)"><input type=submit></form>',
    '<button formaction="javascript:alert(1)">x</button>',
    "<details open ontoggle=alert(1)>x</details>",
    '<video><source onerror="alert(1)"></video>',
    '<video poster="javascript:alert(1)" src="data:video/mp4,x"></video>',
    '<audio src="javascript:alert(1)"></audio>',
    '<blockquote cite="javascript:alert(1)">q</blockquote>',
    '<q cite="vbscript:msgbox(1)">q</q>',
    '<picture><source srcset="javascript:alert(1) 1x, data:image/png;base64,AAAA 2x">'
    '<img src="/ok.png" alt="ok"></picture>',
    '<math><mtext><table><mglyph><style><!--</style><img title="--&gt;&lt;img src=1 '
    'onerror=alert(1)&gt;">',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<a href="#" onclick="alert(1)">x</a><marquee onstart=alert(1)>m</marquee>',
    # Markdown syntax for links and images
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](&#106;avascript:alert(1))",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2Zz48c2NyaXB0PmFsZXJ0KDEpPC9zY3JpcHQ+PC9zdmc+)",
    "<javascript:alert(1)>",
    "[x][r]\n\n[r]: javascript:alert(1)",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<div>\n\n<script>alert(1)</script>\n\n</div>",
    "```\n</code><script>alert(1)</script>\n```",
]


@pytest.mark.parametrize("fmt", FORMATS)
def test_classic_vectors_never_reach_the_feeds(make_site: MakeSite, fmt: str) -> None:
    """Every vector, as content, title, summary and image text, through the CLI."""
    entries = {
        f"v{i:02d}.yaml": entry_yaml(
            vector,
            fmt,
            title=vector.replace("\n", " "),
            summary=vector,
            image={"url": "/i.png", "alt": vector, "credit": vector},
        )
        for i, vector in enumerate(CLASSIC_VECTORS)
    }
    root = make_site(entries)
    result = CliRunner().invoke(cli, ["build", "-C", str(root)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    files = {name: (root / "output" / name).read_bytes() for name in ("atom.xml", "rss.xml")}
    for name, data in files.items():
        assert len(html_fragments(name, data)) >= len(CLASSIC_VECTORS), name  # audit saw them
    assert_feeds_are_safe(files)


def test_a_reference_to_a_character_feeds_cannot_carry_is_refused(make_site: MakeSite) -> None:
    """Even inside an attribute the sanitizer would drop: refused, never silently kept."""
    root = make_site(
        {"v.yaml": entry_yaml("<IMG SRC=\" &#14;  javascript:alert('XSS');\">", "html")}
    )
    result = CliRunner().invoke(cli, ["build", "-C", str(root)])
    assert result.exit_code == 1
    assert "content: has a character reference to U+000E, which feeds cannot carry" in result.stderr


def test_safe_markup_survives(make_site: MakeSite) -> None:
    """The sanitizer is not simply deleting everything."""
    content = (
        '<p><a href="https://example.org/x">link</a> <a href="mailto:a@example.org">mail</a> '
        '<img src="/i.png" alt="i"></p><blockquote cite="/src">q</blockquote>'
    )
    root = make_site({"a.yaml": entry_yaml(content, "html")})
    atom = render_site(root, now=NOW)[1]["atom.xml"].decode()
    for kept in (
        'href="https://example.org/x"',
        'href="mailto:a@example.org"',
        'src="https://example.org/i.png"',
        'cite="https://example.org/src"',
    ):
        assert kept in atom


# -- generated hostile HTML -------------------------------------------------------

_SCHEMES = st.sampled_from(
    [
        "javascript:",
        "JaVaScRiPt:",
        "JAVASCRIPT:",
        " javascript:",
        "java\tscript:",
        "java\nscript:",
        "java&#x09;script:",
        "java&#10;script:",
        "&#106;avascript:",
        "&#x6A;avascript:",
        "&#0000106;&#0000097;vascript:",
        "javascript&colon;",
        "javascript&#58;",
        "&#1;javascript:",
        "vbscript:",
        "VBScript:",
        "livescript:",
        "data:",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==#",
        "data:image/svg+xml,<svg onload=alert(1)>",
        "feed:javascript:",
        "",
        "https://ok.example/",
        "//evil.example/",
    ]
)
_PAYLOADS = st.sampled_from(["alert(1)", "alert(document.cookie)", "//%0aalert(1)", "x"])
_URLS = st.builds(lambda s, p: s + p, _SCHEMES, _PAYLOADS)
_TAGS = st.sampled_from(
    [
        "a",
        "A",
        "img",
        "IMG",
        "script",
        "SCRIPT",
        "ScRiPt",
        "svg",
        "iframe",
        "style",
        "object",
        "embed",
        "form",
        "button",
        "input",
        "video",
        "audio",
        "source",
        "picture",
        "blockquote",
        "q",
        "math",
        "base",
        "meta",
        "link",
        "table",
        "td",
        "div",
        "p",
        "details",
        "marquee",
        "body",
        "frameset",
        "noscript",
        "template",
        "textarea",
        "x-custom",
    ]
)
_URL_NAMES = st.sampled_from([*sorted(URL_ATTRIBUTES), "HREF", "SRC", "xlink:href"])
_EVENT_NAMES = st.sampled_from(
    ["onerror", "onload", "onclick", "OnMouseOver", "onfocus", "ontoggle", "onbegin", "on"]
)
_QUOTES = st.sampled_from(['"', "'", "", "`"])


def _attribute(name: str, value: str, quote: str) -> str:
    return f" {name}={quote}{value}{quote}"


_ATTRIBUTES = st.one_of(
    st.builds(_attribute, _URL_NAMES, _URLS, _QUOTES),
    st.builds(_attribute, _EVENT_NAMES, _PAYLOADS, _QUOTES),
    st.builds(
        _attribute,
        st.just("style"),
        st.sampled_from(["x:expression(alert(1))", "background:url(javascript:alert(1))"]),
        _QUOTES,
    ),
    st.sampled_from([" autofocus", " open", ' alt="x"', " /", ' title="a"', " x=y"]),
)
_TEXT = st.one_of(
    st.sampled_from(["text", "<", ">", "&", "&lt;", "&#60;", '"', "'", "`", "<!--", "-->"]),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=8),
)


def _element(tag: str, attributes: list[str], inner: str, close: int) -> str:
    start = f"<{tag}{''.join(attributes)}"
    endings = [f">{inner}</{tag}>", f">{inner}", f"{inner}", f"/>{inner}", f">{inner}</{tag}"]
    return start + endings[close]


_HTML = st.recursive(
    _TEXT,
    lambda inner: st.one_of(
        st.builds(
            _element,
            _TAGS,
            st.lists(_ATTRIBUTES, max_size=3),
            st.lists(inner, max_size=3).map("".join),
            st.integers(0, 4),
        ),
        # Markdown links, images, autolinks and reference definitions
        st.builds(lambda t, u: f"[{t}]({u})", inner, _URLS),
        st.builds(lambda t, u: f"![{t}]({u})", inner, _URLS),
        st.builds(lambda u: f"<{u}>", _URLS),
        st.builds(lambda t, u: f"[{t}][r]\n\n[r]: {u}\n", inner, _URLS),
        st.lists(inner, min_size=2, max_size=4).map("\n\n".join),
    ),
    max_leaves=12,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(content=_HTML, fmt=st.sampled_from(FORMATS), title=_HTML, summary=_HTML)
def test_generated_hostile_html_never_reaches_the_feeds(
    make_site: MakeSite, content: str, fmt: str, title: str, summary: str
) -> None:
    entry = entry_yaml(
        content if content.strip() else "x",
        fmt,
        title=title.strip() or "t",
        summary=summary.strip() or "s",
    )
    root = make_site({"a.yaml": entry})
    try:
        _, files = render_site(root, now=NOW)
    except InputError as exc:
        # &#1; and friends decode to characters XML cannot carry: refused.
        assert all(
            p.field == "content" and "character reference" in p.message for p in exc.problems
        ), str(exc)
        return
    assert_feeds_are_safe(files)


def test_url_scheme_matches_browser_rules() -> None:
    assert url_scheme(" \x01java\tscript:alert(1)") == "javascript"
    assert url_scheme("https://example.org/a:b") == "https"
    assert url_scheme("/relative:path") == ""
