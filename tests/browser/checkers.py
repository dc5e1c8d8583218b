"""The two page checkers the browser tests run: axe-core (npm, pinned in package.json) inside
Chromium, and the Nu Html Checker (vnu-jar) over the HTML the server sent.

axe is evaluated through Playwright rather than added as a <script> tag: the portal's
Content-Security-Policy refuses inline scripts, and the page is checked under its real policy
(no ``bypass_csp``), so what axe sees is what a customer's browser renders."""
import json
import subprocess
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
BLOCKING = ("critical", "serious")

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 5).map(n => n.target.join(" "))}));
}"""


def _need(path):
    if not path.exists():
        raise RuntimeError(f"{path} is missing: run scripts/ensure-tools.sh")
    return path


def axe_violations(page):
    """Every axe violation on the page as loaded: ``[{id, impact, help, targets}]``."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_need(AXE).read_text())
    return page.evaluate(RUN_AXE)


def blocking(violations):
    return [v for v in violations if v["impact"] in BLOCKING]


def by_impact(found):
    """``{impact: count}`` over ``{page: [violation]}``, for a readable failure and a report."""
    return dict(Counter(v["impact"] for violations in found.values() for v in violations))


def report(found):
    """A failure message: the counts by impact, then each page's violations and where."""
    lines = [f"by impact {by_impact(found)}"]
    for page, violations in found.items():
        lines += [f"{page}: {v['impact']} {v['id']} ({v['help']}) at {v['targets']}"
                  for v in violations]
    return "\n".join(lines)


def vnu_errors(documents):
    """Nu Html Checker errors over ``{name: html}``, checked in one JVM start (it takes
    seconds): ``{name: ["line N: message"]}`` for the documents with any."""
    with tempfile.TemporaryDirectory(prefix="vnu-") as folder:
        files = {}
        for index, (name, html) in enumerate(documents.items()):
            path = Path(folder) / f"page-{index}.html"
            path.write_text(html, encoding="utf-8")
            files[str(path)] = name
        run = subprocess.run(["java", "-jar", str(_need(VNU)), "--format", "json", "--stdout",
                              "--errors-only", *files],
                             capture_output=True, text=True, timeout=300)
    if not run.stdout:
        raise RuntimeError(f"vnu gave no report: {run.stderr[-2000:]}")
    found = {}
    for message in json.loads(run.stdout)["messages"]:
        if message.get("type") not in ("error", "non-document-error"):
            continue
        url = message.get("url", "")  # file:/tmp/vnu-…/page-3.html
        name = files.get("/" + url.split(":", 1)[-1].lstrip("/"), url)
        found.setdefault(name, []).append(f"line {message.get('lastLine')}: {message['message']}")
    return found
