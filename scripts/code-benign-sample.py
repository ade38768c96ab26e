# Writes a sample of benign source code to measure the scanner's false positives on code (docs/security.md, "Source
# code"): 300 chunks of Python from the machine's standard library (Debian 12: /usr/lib/python3.11, tests left out),
# 300 of JavaScript and 150 of TypeScript declarations from this project's node_modules (fixed by package-lock.json).
# A chunk is a file's blank-line-separated blocks grown to about 1.5 KB, one chunk per file, chosen with a fixed seed.
# Usage: python3 scripts/code-benign-sample.py OUT.jsonl [PYTHON_LIB_DIR]   then   flywheel security eval OUT.jsonl
import json, pathlib, random, sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def chunks(path: pathlib.Path) -> list[str]:
    try:
        text = path.read_text()
    except (UnicodeDecodeError, OSError):
        return []
    blocks, cur = [], ""
    for para in text.split("\n\n"):
        if len(cur) + len(para) > 1500 and cur:
            blocks.append(cur)
            cur = ""
        cur += para + "\n\n"
    if cur.strip():
        blocks.append(cur)
    return [b.strip() for b in blocks if 200 < len(b.strip()) < 3000]


def main():
    if len(sys.argv) < 2:
        raise SystemExit("usage: python3 scripts/code-benign-sample.py OUT.jsonl [PYTHON_LIB_DIR]")
    random.seed(7)
    pylib = pathlib.Path(sys.argv[2] if len(sys.argv) > 2 else "/usr/lib/python3.11")
    modules = ROOT / "node_modules"
    py = [p for p in sorted(pylib.rglob("*.py")) if "test" not in str(p)]
    js = sorted(p for p in modules.rglob("*.js") if "test" not in str(p) and ".min." not in p.name)
    dts = sorted(modules.rglob("*.d.ts"))
    out = []
    for name, files, n in [("python", py, 300), ("js", js, 300), ("dts", dts, 150)]:
        random.shuffle(files)
        got = 0
        for f in files:
            c = chunks(f)
            if not c:
                continue
            out.append({"text": random.choice(c), "label": "benign", "source": f"code:{name}", "group": str(f.relative_to(ROOT) if f.is_relative_to(ROOT) else f)})
            got += 1
            if got >= n:
                break
    pathlib.Path(sys.argv[1]).write_text("".join(json.dumps(r) + "\n" for r in out))
    print(f"{len(out)} chunks → {sys.argv[1]}")


if __name__ == "__main__":
    main()
