"""Loads Flywheel exports the way a trainer would and checks the columns TRL needs.

Usage: check_exports.py KIND=DIR [KIND=DIR ...]   (KIND: sft, dpo, kto, reward)
Uses Hugging Face `datasets` when importable (load_dataset(DIR), which also reads the dataset card's
configs), else pandas. Prints a JSON report on stdout; exit 1 on a failed check, 2 if neither is installed.
"""

import glob
import tempfile
import json
import os
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

ROLES = {"system", "user", "assistant"}
PROVENANCE = {"source", "run_ids", "task_hash", "rubric_version", "evaluator_models", "producer_model", "scores", "session_id"}


class CheckError(Exception):
    pass


def expect(cond, msg):
    if not cond:
        raise CheckError(msg)


def is_messages(v):
    return isinstance(v, list) and len(v) > 0 and all(
        isinstance(m, dict) and m.get("role") in ROLES and isinstance(m.get("content"), str) and m["content"].strip()
        for m in v
    )


def text_or_messages(v, name, role=None):
    if isinstance(v, str):
        expect(v.strip() != "", f"{name} is empty")
        return v
    expect(is_messages(v), f"{name} is neither text nor a list of chat messages")
    if role:
        expect(v[-1]["role"] == role, f"{name} should end with a {role} message")
    return "\n".join(m["content"] for m in v)


def check_row(kind, row, i):
    where = f"{kind} row {i}"
    prov = row.get("provenance")
    expect(isinstance(prov, dict) and PROVENANCE <= set(prov), f"{where}: provenance missing fields")
    expect(isinstance(prov["run_ids"], list) and len(prov["run_ids"]) > 0, f"{where}: no source run ids")
    if kind == "sft":
        if "messages" in row and row["messages"] is not None:
            expect(is_messages(row["messages"]), f"{where}: messages malformed")
            expect(row["messages"][-1]["role"] == "assistant", f"{where}: last message is not the assistant's")
        else:
            text_or_messages(row.get("prompt"), f"{where}: prompt")
            text_or_messages(row.get("completion"), f"{where}: completion", "assistant")
    elif kind in ("dpo", "reward"):
        text_or_messages(row.get("prompt"), f"{where}: prompt")
        chosen = text_or_messages(row.get("chosen"), f"{where}: chosen", "assistant")
        rejected = text_or_messages(row.get("rejected"), f"{where}: rejected", "assistant")
        expect(chosen != rejected, f"{where}: chosen and rejected are the same text")
        expect(not rejected.strip().endswith(".md") or "\n" in rejected.strip(), f"{where}: rejected looks like a path")
        col = "score_delta" if kind == "dpo" else "margin"
        expect(isinstance(row.get(col), (int, float)) and row[col] > 0, f"{where}: {col} should be a positive number")
    elif kind == "kto":
        text_or_messages(row.get("prompt"), f"{where}: prompt")
        text_or_messages(row.get("completion"), f"{where}: completion", "assistant")
        expect(isinstance(row.get("label"), bool), f"{where}: label should be a boolean")
    else:
        raise CheckError(f"unknown kind {kind}")


def with_datasets(directory):
    import datasets

    # A fresh cache per load: a shared Hugging Face cache can serve rows of an earlier, different export.
    dd = datasets.load_dataset(directory, cache_dir=tempfile.mkdtemp(prefix="fw-hf-"))
    return {name: [dict(r) for r in split] for name, split in dd.items()}


def with_pandas(directory):
    import pandas as pd

    out = {}
    for f in sorted(glob.glob(os.path.join(directory, "*.jsonl"))):
        name = os.path.splitext(os.path.basename(f))[0]
        if os.path.getsize(f) == 0:
            continue
        df = pd.read_json(f, lines=True, dtype=False)
        out[name] = df.to_dict(orient="records")
    return out


def main(argv):
    try:
        import datasets  # noqa: F401

        loader, load = "datasets", with_datasets
    except ImportError:
        try:
            import pandas  # noqa: F401

            loader, load = "pandas", with_pandas
        except ImportError:
            print("neither `datasets` nor `pandas` is installed (pip install datasets)", file=sys.stderr)
            return 2
    report = {"loader": loader, "checked": []}
    failures = []
    for arg in argv:
        kind, _, directory = arg.partition("=")
        try:
            splits = load(directory)
            expect(len(splits) > 0, f"{directory}: no split loaded")
            for rows in splits.values():
                for i, row in enumerate(rows):
                    check_row(kind, row, i)
            report["checked"].append(
                {"kind": kind, "dir": directory, "splits": {k: len(v) for k, v in splits.items()}, "rows": sum(len(v) for v in splits.values())}
            )
        except CheckError as e:
            failures.append(str(e))
        except Exception as e:  # a loader error is a failed check too
            failures.append(f"{kind} {directory}: {type(e).__name__}: {e}")
    print(json.dumps(report))
    for f in failures:
        print(f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
