"""axe-core in the browser tests, without loosening the Content-Security-Policy (issue 13).

axe-core comes from npm (package.json pins it; `scripts/setup` runs `npm ci`). Its source is
evaluated in the page through Playwright, the way DevTools runs a snippet: no <script> tag is
added and the page's policy (script-src 'self') stays as the site sends it. A machine without
it skips the accessibility tests; under CI=true it fails them (tests/services.py).
"""

from functools import cache
from pathlib import Path

from tests.services import require_service

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"

# WCAG 2.0, 2.1 and 2.2, levels A and AA: every success criterion axe-core checks for them
# (axe-core 4.14 has no wcag22a tag: the 2.2 rules it has are AA).
WCAG_22_AA = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")

# And axe-core's best practices that the issue and the project's page rules name: all content
# inside landmarks (the issue found the OFFICIAL-SENSITIVE banner outside them), one main
# landmark, one h1, headings in order.
BEST_PRACTICES = ("region", "landmark-one-main", "page-has-heading-one", "heading-order")

_RUN = """async ([tags, extra]) => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    rules: Object.fromEntries(extra.map((rule) => [rule, {enabled: true}])),
    resultTypes: ["violations"],
  });
  return result.violations.map((v) => ({
    rule: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
  }));
}"""

# The innermost elements that stick out past the right edge of the viewport, widest first,
# leaving out those inside a region that scrolls on its own and itself fits (a .table-wrap).
_WIDEST = """() => {
  const width = document.documentElement.clientWidth;
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (typeof el.className === "string" && el.className.trim()
      ? "." + el.className.trim().split(/\\s+/).join(".") : "");
  const wide = new Set();
  const consider = (el, right) => {
    if (right <= width + 0.5) return;
    for (let at = el.parentElement; at && at !== document.body; at = at.parentElement) {
      const scrolls = getComputedStyle(at).overflowX !== "visible";
      if (scrolls && at.getBoundingClientRect().right <= width + 0.5) return;
    }
    wide.add(el);
  };
  for (const el of document.body.querySelectorAll("*")) {
    consider(el, el.getBoundingClientRect().right);
  }
  // Text that runs out of its box (a word that cannot wrap) sticks out while its box fits.
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let text = walker.nextNode(); text; text = walker.nextNode()) {
    if (!text.data.trim()) continue;
    range.selectNodeContents(text);
    consider(text.parentElement, range.getBoundingClientRect().right);
  }
  const seen = new Set();
  const once = (text) => {
    const key = text.replace(/ [(]\\d+ px[)]$/, "");
    return !seen.has(key) && seen.add(key);
  };
  return [...wide]
    .filter((el) => ![...el.children].some((child) => wide.has(child)))
    .sort((a, b) => b.getBoundingClientRect().right - a.getBoundingClientRect().right)
    .map((el) => {
      const path = [];
      for (let at = el; at && at !== document.body && path.length < 4; at = at.parentElement) {
        path.unshift(name(at));
      }
      return `${path.join(" > ")} (${Math.round(el.getBoundingClientRect().right)} px)`;
    })
    .filter(once)
    .slice(0, 6);
}"""


@cache
def axe_source() -> str:
    require_service("axe-core", AXE.exists(), f"run scripts/setup (npm ci) to install {AXE}")
    return AXE.read_text()


def axe_violations(page, tags=WCAG_22_AA, extra=BEST_PRACTICES) -> list[dict]:
    """The page's violations of WCAG 2.2 AA (and the best practices above) as axe-core finds
    them: rule, impact, help and the first few elements (CSS selectors)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    return page.evaluate(_RUN, [list(tags), list(extra)])


# At 320 px a wide table scrolls inside its region: that region must take the keyboard focus
# (WCAG 2.1.1), which axe checks only where something scrolls, so it is run again there.
NARROW_RULES = ("scrollable-region-focusable",)

_RUN_RULES = """async (rules) => {
  const result = await axe.run(document, {
    runOnly: {type: "rule", values: rules},
    resultTypes: ["violations"],
  });
  return result.violations.map((v) => ({
    rule: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
  }));
}"""


def axe_rules(page, rules=NARROW_RULES) -> list[dict]:
    """The page's violations of only these axe-core rules."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    return page.evaluate(_RUN_RULES, list(rules))


def describe(violations: list[dict]) -> str:
    return "; ".join(f"{v['rule']} ({v['impact']}): {', '.join(v['targets'])}" for v in violations)


def sideways_scroll(page) -> tuple[int, int, list[str]]:
    """(the document's scroll width, the viewport's width, what sticks out)."""
    scroll, client = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    return scroll, client, (page.evaluate(_WIDEST) if scroll > client else [])
