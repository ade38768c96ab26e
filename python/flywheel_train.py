"""Flywheel's training side: runs in the project-managed venv (requirements-train.txt).

  convert --gguf FILE --out DIR          GGUF (any llama.cpp quant) -> Hugging Face safetensors + tokenizer
  train --kind sft|dpo --dataset DIR --base DIR --out DIR [...]
                                         LoRA fine-tune with TRL; checkpoints every --save-steps into
                                         DIR/checkpoints, resumes from the last one, merges the adapter
                                         into DIR/merged (safetensors, float16)

Progress goes to stdout as one JSON object a line ({"event": "step"|"checkpoint"|"done", ...});
everything else (library logs, warnings) goes to stderr.
"""
import argparse
import glob
import json
import os
import sys
import time


def emit(**kw):
    sys.stdout.write(json.dumps(kw) + "\n")
    sys.stdout.flush()


def threads():
    import torch

    n = int(os.environ.get("FLYWHEEL_TRAIN_THREADS", "0") or 0) or min(2, os.cpu_count() or 1)
    torch.set_num_threads(n)
    return n


def convert(a):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    d, f = os.path.dirname(os.path.abspath(a.gguf)), os.path.basename(a.gguf)
    tok = AutoTokenizer.from_pretrained(d, gguf_file=f)
    # transformers dequantizes and undoes llama.cpp's q/k row permutation for llama-architecture models.
    q = AutoModelForCausalLM.from_pretrained(d, gguf_file=f)
    cfg = q.config
    if hasattr(cfg, "quantization_config"):
        del cfg.quantization_config
    m = AutoModelForCausalLM.from_config(cfg, dtype=torch.float32)
    m.load_state_dict(q.state_dict())
    tmp = a.out + ".tmp"
    m.save_pretrained(tmp)
    tok.save_pretrained(tmp)
    os.replace(tmp, a.out) if not os.path.exists(a.out) else None
    ids = tok.apply_chat_template(
        [{"role": "user", "content": a.probe}], add_generation_prompt=True, return_tensors="pt"
    )
    ids = ids if hasattr(ids, "shape") else ids["input_ids"]
    out = m.generate(ids, max_new_tokens=24, do_sample=False)
    emit(event="done", out=a.out, params=m.num_parameters(), probe=a.probe,
         greedy=tok.decode(out[0][ids.shape[1]:], skip_special_tokens=True))


def load_rows(path, kind):
    rows = []
    with open(path) as fh:
        for line in fh:
            if not line.strip():
                continue
            r = json.loads(line)
            if kind == "dpo":
                rows.append({k: r[k] for k in ("prompt", "chosen", "rejected")})
            elif "messages" in r:
                rows.append({"messages": r["messages"]})
            else:
                rows.append({"prompt": r["prompt"], "completion": r["completion"]})
    if not rows:
        raise SystemExit(f"no rows in {path}")
    return rows


def last_checkpoint(ckdir):
    """The latest complete checkpoint: a process killed while saving leaves a folder without trainer_state.json
    (the Trainer writes it last), which cannot be resumed from; the one before it is used instead."""
    cks = [p for p in glob.glob(os.path.join(ckdir, "checkpoint-*"))
           if p.rsplit("-", 1)[1].isdigit() and os.path.isfile(os.path.join(p, "trainer_state.json"))]
    cks.sort(key=lambda p: int(p.rsplit("-", 1)[1]))
    return cks[-1] if cks else None


def train(a):
    n_threads = threads()
    import torch
    from datasets import Dataset
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM, AutoTokenizer, TrainerCallback

    torch.manual_seed(a.seed)
    tok = AutoTokenizer.from_pretrained(a.base)
    if tok.pad_token is None:
        tok.pad_token = tok.eos_token
    model = AutoModelForCausalLM.from_pretrained(a.base, dtype=torch.float32)
    ds = Dataset.from_list(load_rows(os.path.join(a.dataset, "train.jsonl"), a.kind))
    lora = LoraConfig(r=a.lora_r, lora_alpha=2 * a.lora_r, lora_dropout=0.0, task_type="CAUSAL_LM",
                      target_modules=["q_proj", "k_proj", "v_proj", "o_proj"])
    ckdir = os.path.join(a.out, "checkpoints")
    common = dict(output_dir=ckdir, max_steps=a.steps, per_device_train_batch_size=a.batch,
                  gradient_accumulation_steps=1, learning_rate=a.lr, logging_steps=1, save_steps=a.save_steps,
                  save_total_limit=2, report_to=[], seed=a.seed, use_cpu=not torch.cuda.is_available(),
                  disable_tqdm=True, include_num_input_tokens_seen=True, lr_scheduler_type="constant")
    start = time.time()

    class Progress(TrainerCallback):
        def on_log(self, args, state, control, logs=None, **kw):
            if logs and "loss" in logs:
                emit(event="step", step=state.global_step, max_steps=state.max_steps, loss=logs["loss"],
                     tokens=int(getattr(state, "num_input_tokens_seen", 0) or 0),
                     seconds=round(time.time() - start, 2))

        def on_save(self, args, state, control, **kw):
            emit(event="checkpoint", step=state.global_step,
                 path=os.path.join(ckdir, f"checkpoint-{state.global_step}"))

    if a.kind == "sft":
        from trl import SFTConfig, SFTTrainer

        cfg = SFTConfig(max_length=a.max_len, **common)
        trainer = SFTTrainer(model=model, args=cfg, train_dataset=ds, processing_class=tok, peft_config=lora,
                             callbacks=[Progress()])
    else:
        from trl import DPOConfig, DPOTrainer

        cfg = DPOConfig(max_length=a.max_len, beta=a.beta, **common)
        trainer = DPOTrainer(model=model, args=cfg, train_dataset=ds, processing_class=tok, peft_config=lora,
                             callbacks=[Progress()])
    resume = last_checkpoint(ckdir)
    if resume:
        emit(event="resume", path=resume, step=int(resume.rsplit("-", 1)[1]))
    result = trainer.train(resume_from_checkpoint=resume)
    seconds = time.time() - start
    tokens = int(getattr(trainer.state, "num_input_tokens_seen", 0) or 0)
    losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
    merged = trainer.model.merge_and_unload()
    merged = merged.to(torch.float16)
    mdir = os.path.join(a.out, "merged")
    merged.save_pretrained(mdir)
    tok.save_pretrained(mdir)
    emit(event="done", kind=a.kind, steps=trainer.state.global_step, final_loss=losses[-1] if losses else None,
         train_loss=result.training_loss, tokens=tokens, seconds=round(seconds, 2),
         tokens_per_s=round(tokens / seconds, 1) if seconds > 0 else None, threads=n_threads,
         device="cuda" if torch.cuda.is_available() else "cpu", merged=mdir, resumed_from=resume)


def main():
    p = argparse.ArgumentParser(prog="flywheel_train")
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("convert")
    c.add_argument("--gguf", required=True)
    c.add_argument("--out", required=True)
    c.add_argument("--probe", default="What is the capital of France?")
    t = sub.add_parser("train")
    t.add_argument("--kind", choices=["sft", "dpo"], required=True)
    t.add_argument("--dataset", required=True)
    t.add_argument("--base", required=True)
    t.add_argument("--out", required=True)
    t.add_argument("--steps", type=int, default=20)
    t.add_argument("--save-steps", type=int, default=5)
    t.add_argument("--batch", type=int, default=2)
    t.add_argument("--lr", type=float, default=2e-4)
    t.add_argument("--lora-r", type=int, default=8)
    t.add_argument("--max-len", type=int, default=512)
    t.add_argument("--beta", type=float, default=0.1)
    t.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    convert(a) if a.cmd == "convert" else train(a)


if __name__ == "__main__":
    main()
