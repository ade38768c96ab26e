# Would a small encoder fine-tuned for the task beat the scanner's n-gram classifier? Fine-tunes all-MiniLM-L6-v2 (the
# pinned wheel of scripts/injection-embedding-probe.py) end to end with a linear head on the rows written by
# scripts/injection-rows.ts: the training split (2 epochs, AdamW 3e-5, batch 16, first 128 tokens, classes weighted
# equally), then reports rules + the fine-tuned model on the held-out split and the unseen hard negatives, and leaving
# the in-the-wild jailbreaks and deepset out. The threshold keeps 0.5% of the *training* benign rows above it
# (in-sample: optimistic for a model that fits its training rows, so held-out false positives come out higher).
# Measurement only: nothing here ships. About an hour on 2 CPU cores. Needs torch and transformers (training venv):
#   npx tsx scripts/injection-rows.ts /tmp/rows.jsonl
#   ~/.cache/flywheel/train-venv-*/bin/python scripts/injection-finetune-probe.py /tmp/rows.jsonl
import json, os, pathlib, sys, time

import numpy as np
import torch
from transformers import AutoModel, AutoTokenizer

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from importlib import import_module

model_dir = import_module("injection-embedding-probe").model_dir


def main():
    torch.set_num_threads(os.cpu_count() or 2)
    torch.manual_seed(0)
    rows = [json.loads(l) for l in open(sys.argv[1])]
    y = np.array([int(r["injection"]) for r in rows])
    fam = np.array([r["family"] for r in rows])
    held = np.array([r["held"] for r in rows])
    rules = np.array([r["rules"] for r in rows])
    unseen = fam == "unseen hard negatives"
    texts = [r["text"] for r in rows]
    d = model_dir()
    tok = AutoTokenizer.from_pretrained(d)

    def embed(enc, head, ix):
        b = tok([texts[j] for j in ix], padding=True, truncation=True, max_length=128, return_tensors="pt")
        h = enc(**b).last_hidden_state
        m = b["attention_mask"].unsqueeze(-1).float()
        return head((h * m).sum(1) / m.sum(1)).squeeze(-1)

    def fit(train_mask, label):
        enc, head = AutoModel.from_pretrained(d), torch.nn.Linear(384, 1)
        opt = torch.optim.AdamW(list(enc.parameters()) + list(head.parameters()), lr=3e-5)
        idx = np.where(train_mask)[0]
        pos = y[idx].mean()
        t0 = time.time()
        for ep in range(2):
            enc.train()
            perm = np.random.default_rng(ep).permutation(idx)
            for i in range(0, len(perm), 16):
                bi = perm[i:i + 16]
                yt = torch.tensor(y[bi], dtype=torch.float32)
                w = torch.where(yt > 0, 0.5 / pos, 0.5 / (1 - pos))
                loss = (torch.nn.functional.binary_cross_entropy_with_logits(embed(enc, head, bi), yt, reduction="none") * w).mean()
                opt.zero_grad()
                loss.backward()
                opt.step()
            print(f"{label}: epoch {ep + 1} done, {time.time() - t0:.0f} s", flush=True)
        enc.eval()

        def score(ix):
            with torch.no_grad():
                return np.concatenate([torch.sigmoid(embed(enc, head, ix[i:i + 64])).numpy() for i in range(0, len(ix), 64)])

        benign = np.sort(score(idx)[y[idx] == 0])[::-1]
        return score, benign[int(len(benign) * 0.005)] + 1e-6

    score, thr = fit(~held & ~unseen, "all families")
    ho, un = np.where(held & ~unseen)[0], np.where(unseen)[0]
    b = (score(ho) >= thr) | rules[ho]
    bu = (score(un) >= thr) | rules[un]
    print(f"rules + fine-tuned MiniLM (threshold {thr:.4f}): held-out recall {100 * b[y[ho] == 1].mean():.1f}% "
          f"FPR {100 * b[y[ho] == 0].mean():.2f}%, unseen hard negatives blocked {bu.sum()}/{len(un)}", flush=True)
    for f in ["jailbreak_llms (in the wild)", "deepset"]:
        score, thr = fit(~held & ~unseen & (fam != f), f"without {f}")
        te = np.where(fam == f)[0]
        b = (score(te) >= thr) | rules[te]
        fpr = f"{100 * b[y[te] == 0].mean():.2f}%" if (y[te] == 0).any() else "—"
        print(f"left out {f}: recall {100 * b[y[te] == 1].mean():.1f}%, FPR {fpr} (threshold {thr:.4f})", flush=True)


if __name__ == "__main__":
    main()
