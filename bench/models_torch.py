"""The PyTorch side of `npm run bench -- models`: the bench/hf_models.py modules (Hugging
Face semantics, dropout 0) loading the very safetensors folder tunelab wrote, so both
engines hold the same weights; PEFT-style LoRA; greedy generation; torch.onnx export.

Debian's python3-torch (1.13) has neither transformers nor the safetensors package: the
format is parsed here (8-byte little-endian header length, JSON header, raw bytes), each
tensor a view of one bytearray per file (no second copy of the weights).

A worker: one JSON command per line on stdin, one JSON answer per line on stdout
(bench/models.ts drives it; bench/models_worker.ts lists the commands).
"""
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_ref import set_threads  # noqa: E402  (OpenBLAS's own pool too)
from hf_models import Conv1D, BertForSequenceClassification, GPT2LMHeadModel, LlamaForCausalLM, num_labels  # noqa: E402

# ---------------------------------------------------------------- safetensors

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "I64": torch.int64, "I32": torch.int32}


def read_safetensors(path):
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        n = int.from_bytes(f.read(8), "little")
        if n > min(size - 8, 100 << 20):
            raise ValueError(f"{path}: header length {n} is past the file's end")
        header = json.loads(f.read(n))
        data = bytearray(size - 8 - n)
        f.readinto(data)
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype = DTYPES[info["dtype"]]
        start, end = info["data_offsets"]
        count = math.prod(info["shape"])
        t = torch.frombuffer(data, dtype=dtype, count=count, offset=start) if count else torch.empty(0, dtype=dtype)
        if t.numel() * t.element_size() != end - start:
            raise ValueError(f"{path}: tensor {name} has {end - start} bytes for shape {info['shape']}")
        out[name] = t.reshape(info["shape"]).float() if dtype != torch.float32 else t.reshape(info["shape"])
    return out


def read_folder(folder):
    index = os.path.join(folder, "model.safetensors.index.json")
    if os.path.exists(index):
        files = sorted(set(json.load(open(index))["weight_map"].values()))
    else:
        files = ["model.safetensors"]
    state = {}
    for f in files:
        state.update(read_safetensors(os.path.join(folder, f)))
    return state


def assign(module, state, allow_missing=()):
    """Points every parameter of module at its tensor in state (names must match exactly)."""
    own = dict(module.named_parameters())
    missing = [k for k in own if k not in state and k not in allow_missing]
    if missing:
        raise KeyError(f"checkpoint lacks {missing[:5]} ({len(missing)} missing)")
    for name in own:
        if name not in state:
            continue
        *path, leaf = name.split(".")
        m = module
        for p in path:
            m = getattr(m, p)
        t = state[name]
        if tuple(t.shape) != tuple(m._parameters[leaf].shape):
            raise ValueError(f"{name}: checkpoint shape {tuple(t.shape)} vs model {tuple(m._parameters[leaf].shape)}")
        m._parameters[leaf] = nn.Parameter(t)
    unused = [k for k in state if k not in own and not k.endswith(("position_ids", "attn.bias", "attn.masked_bias"))]
    return unused


# ---------------------------------------------------------------- LoRA (PEFT's lora.Linear)


class LoraLinear(nn.Module):
    """y = base(x) + B(A(x)) * alpha / r; base frozen, A kaiming-uniform, B zeros (PEFT's init)."""

    def __init__(self, base, r, alpha, n_in, n_out):
        super().__init__()
        self.base = base
        self.lora_A = nn.Parameter(torch.empty(r, n_in))
        nn.init.kaiming_uniform_(self.lora_A, a=math.sqrt(5))
        self.lora_B = nn.Parameter(torch.zeros(n_out, r))
        self.scaling = alpha / r

    def forward(self, x):
        return self.base(x) + F.linear(F.linear(x, self.lora_A), self.lora_B) * self.scaling


def apply_lora(model, targets, r, alpha, trainable=()):
    for p in model.parameters():
        p.requires_grad_(False)
    for name, m in list(model.named_modules()):
        for child_name, child in list(m.named_children()):
            if child_name not in targets:
                continue
            if isinstance(child, Conv1D):
                n_in, n_out = child.weight.shape
            else:
                n_out, n_in = child.weight.shape
            setattr(m, child_name, LoraLinear(child, r, alpha, n_in, n_out))
    for name, p in model.named_parameters():
        if any(name.startswith(t + ".") for t in trainable):
            p.requires_grad_(True)


# ---------------------------------------------------------------- the worker

FAMILIES = {"bert": BertForSequenceClassification, "gpt2": GPT2LMHeadModel, "llama": LlamaForCausalLM}


def token_ids(b, t, vocab):
    """bench/models_cases.ts tokenIds: the same ids on both sides."""
    return torch.tensor([[(i * 7919 + j * 104729 + 13) % vocab for j in range(t)] for i in range(b)], dtype=torch.int64)


class Row:
    def __init__(self, job):
        self.job = job
        c = json.load(open(os.path.join(job["dir"], "config.json")))
        self.family = job["family"]
        model = FAMILIES[self.family](c)
        state = read_folder(job["dir"])
        assign(model, state)
        self.model = model
        mode = job["mode"]
        b, t = job["B"], job["T"]
        vocab = c["vocab_size"]
        self.ids = token_ids(b, t, vocab)
        self.mask = torch.ones(b, t, dtype=torch.int64)
        self.labels = torch.tensor([i % num_labels(c) for i in range(b)]) if self.family == "bert" else self.ids
        if mode == "lora":
            lora = job["lora"]
            apply_lora(model, lora["target_modules"], lora["r"], lora["lora_alpha"], lora.get("trainable", ()))
        params = [p for p in model.parameters() if p.requires_grad]
        self.opt = torch.optim.AdamW(params, lr=job.get("lr", 1e-5), weight_decay=0.01) if mode in ("full", "lora") else None
        model.train(mode in ("full", "lora"))

    def forward(self, labels=True):
        if self.family == "bert":
            return self.model(self.ids, self.mask, self.labels if labels else None)
        out = self.model(self.ids, self.ids if labels else None)
        return out[0] if isinstance(out, tuple) else out

    def check(self):
        """What the other engines must reproduce: the first loss, first logits, or tokens."""
        mode = self.job["mode"]
        with torch.no_grad():
            if mode in ("full", "lora"):
                return {"loss": self.forward().item(), "trainable": sum(p.numel() for p in self.model.parameters() if p.requires_grad)}
            if mode == "inference":
                return {"logits": self.forward(labels=False).flatten()[:16].tolist()}
        return {"tokens": self.generate()[0]}

    def generate(self):
        """Greedy decoding over the KV cache, exactly max_new tokens (GPT-2)."""
        with torch.no_grad():
            logits, past = self.model(self.ids)
            out = [[] for _ in range(self.ids.shape[0])]
            for _ in range(self.job["new_tokens"]):
                nxt = logits[:, -1].argmax(-1)
                for i, tok in enumerate(nxt.tolist()):
                    out[i].append(tok)
                logits, past = self.model(nxt[:, None], past=past)
            return out

    def step(self):
        mode = self.job["mode"]
        if mode == "inference":
            with torch.no_grad():
                self.forward(labels=False)
        elif mode == "generate":
            self.generate()
        else:
            self.opt.zero_grad(set_to_none=True)
            self.forward().backward()
            self.opt.step()

    def export_onnx(self, path):
        """torch.onnx.export of the inference graph (ids, mask -> logits) or the GPT-2 step with a KV cache."""
        tmp = path + ".tmp"
        with torch.no_grad():
            if self.family == "bert":
                torch.onnx.export(
                    self.model, (self.ids, self.mask), tmp, input_names=["input_ids", "attention_mask"], output_names=["logits"],
                    dynamic_axes={"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"}}, opset_version=14,
                )
            else:
                n = len(self.model.transformer.h)
                wrapper = GPT2Step(self.model)
                _, past = self.model(self.ids[:, :3])
                flat = [x for kv in past for x in kv]
                names = [f"past_{i}_{kind}" for i in range(n) for kind in ("key", "value")]
                outs = [f"present_{i}_{kind}" for i in range(n) for kind in ("key", "value")]
                axes = {"input_ids": {0: "batch", 1: "seq"}}
                axes.update({k: {0: "batch", 2: "past"} for k in names})
                axes.update({k: {0: "batch", 2: "total"} for k in outs})
                torch.onnx.export(
                    wrapper, (self.ids[:, :2], *flat), tmp, input_names=["input_ids", *names], output_names=["logits", *outs],
                    dynamic_axes=axes, opset_version=14,
                )
        os.replace(tmp, path)


class GPT2Step(nn.Module):
    """(input_ids, past keys/values...) -> (last logits, presents...): one graph for prefill and decode."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, ids, *flat):
        past = [(flat[2 * i], flat[2 * i + 1]) for i in range(len(flat) // 2)]
        logits, presents = self.model(ids, past=past)
        return (logits[:, -1], *[x for kv in presents for x in kv])


def vm(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return None


def handle(row, cmd):
    kind = cmd["cmd"]
    if kind == "load":
        t0 = time.perf_counter()
        row[0] = Row(cmd)
        out = {"load_s": time.perf_counter() - t0}
        out.update(row[0].check())
        return out
    if kind == "time":
        set_threads(cmd["threads"])
        for _ in range(cmd.get("warmup", 0)):
            row[0].step()
        times = []
        for _ in range(cmd["steps"]):
            t0 = time.perf_counter()
            row[0].step()
            times.append(time.perf_counter() - t0)
        return {"samples": times}
    if kind == "export":
        row[0].export_onnx(cmd["path"])
        return {}
    if kind == "rss":
        return {"vmhwm": vm("VmHWM"), "vmrss": vm("VmRSS")}
    raise ValueError(f"unknown command {kind!r}")


def main():
    row = [None]
    for line in iter(sys.stdin.readline, ""):
        if not line.strip():
            continue
        try:
            out = handle(row, json.loads(line))
        except Exception as e:  # the bench prints it in the torch column
            import traceback
            out = {"error": f"{type(e).__name__}: {e}", "trace": traceback.format_exc()[-1500:]}
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
