"""Static analysis is part of the suite, not only of scripts/test.sh: ruff (with the
flake8-bandit rules) is clean, bandit reports nothing, and every finding accepted with
`# nosec` names the rule and says why."""
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOSEC = re.compile(r"#\s*nosec\b(.*)$")


def _run(*args):
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, check=False)


def test_bandit_has_no_unreviewed_finding():
    result = _run("bandit", "-q", "-r", "portal", "-f", "custom",
                  "--msg-template", "{relpath}:{line}: {test_id} {msg}")
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_accepted_finding_names_its_rule_and_a_reason():
    unexplained = []
    for path in sorted((ROOT / "portal").rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            found = NOSEC.search(line)
            if not found:
                continue
            rule = re.match(r"\s*(B\d{3})", found.group(1))
            reason = line[:found.start()].split("# noqa", 1)
            if not rule or len(reason) < 2 or " - " not in reason[1]:
                unexplained.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not unexplained, "\n".join(unexplained)


def test_ruff_is_clean():
    result = _run("ruff", "check", "portal", "tests")
    assert result.returncode == 0, result.stdout + result.stderr
