"""The PyTorch side of `npm run bench`: the same workloads, timed on this machine.

A long-lived process: bench/common.ts writes one JSON job per line on stdin and reads one
JSON answer per line: {"samples": [seconds per call, ...], "loss": ..., "note": ...}.
Only the standard library and torch are used, so Debian's python3-torch (1.13) is enough;
1.13 has no F.scaled_dot_product_attention, so attention is the explicit
matmul/softmax/matmul that Hugging Face's BERT and GPT-2 run on it.

Weights and inputs come from `hash_uniform` / `hash_ints`, the same integer hash that
bench/common.ts computes, so both engines start from bit-identical models and their first
losses must agree.
"""
import ctypes
import json
import math
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

MASK32 = 0xFFFFFFFF


def _openblas_set_threads():
    """openblas_set_num_threads of the OpenBLAS this torch loaded, or None.

    Debian's torch calls BLAS through OpenBLAS's own pthread pool, which
    torch.set_num_threads does not resize: without this, a "1 thread" GEMM runs on every
    core (measured: 2 CPU-seconds per second on a 2-core machine).
    """
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower() and line.split()[-1].startswith("/")}
        for path in sorted(paths):
            lib = ctypes.CDLL(path)
            if hasattr(lib, "openblas_set_num_threads"):
                return lib.openblas_set_num_threads
    except OSError:
        pass
    return None


OPENBLAS_SET_THREADS = _openblas_set_threads()


def set_threads(n):
    torch.set_num_threads(n)
    if OPENBLAS_SET_THREADS is not None:
        OPENBLAS_SET_THREADS(ctypes.c_int(n))


# ---------------------------------------------------------------- timing

def samples(fn, min_time, warmup=1, min_calls=3):
    for _ in range(warmup):
        fn()
    out = []
    start = time.perf_counter()
    while len(out) < min_calls or time.perf_counter() - start < min_time:
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def quantile(xs, q=0.1):
    """bench/common.ts's statistic: the q-quantile, nearest rank."""
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, round(q * (len(s) - 1))))]


# ---------------------------------------------------------------- shared deterministic values

def _mul32(x, c):
    # (x * c) mod 2^32 without leaving int64's range (x < 2^32, c < 2^32).
    return (x * (c & 0xFFFF) + (((x * (c >> 16)) & 0xFFFF) << 16)) & MASK32


def hash32(n, seed):
    s = (seed * 0x9E3779B9) & MASK32
    x = torch.arange(n, dtype=torch.int64) ^ s
    x = x ^ (x >> 16)
    x = _mul32(x, 0x7FEB352D)
    x = x ^ (x >> 15)
    x = _mul32(x, 0x846CA68B)
    x = x ^ (x >> 16)
    return x


def hash_uniform(shape, seed, std):
    n = math.prod(shape)
    scale = std * math.sqrt(12)
    x = hash32(n, seed).double() / 4294967296.0 - 0.5
    return (x * scale).float().reshape(shape)


def hash_ints(shape, seed, mod):
    return (hash32(math.prod(shape), seed) % mod).reshape(shape)


# ---------------------------------------------------------------- kernels

def gemm(job):
    m, k, n = job["M"], job["K"], job["N"]
    a = torch.randn(m, k)
    if job.get("transB"):
        b = torch.randn(n, k)
        return lambda: torch.mm(a, b.t())
    b = torch.randn(k, n)
    return lambda: torch.mm(a, b)


def fwd_or_fwdbwd(job, fwd, inputs):
    """A closure that runs fwd, or fwd + backward of a fixed upstream gradient."""
    if job["mode"] == "fwd":
        def run():
            with torch.no_grad():
                fwd()
        return run
    dy = torch.randn_like(fwd().detach())

    def run():
        fwd().backward(dy)
        for t in inputs:
            t.grad = None
    return run


def softmax(job):
    x = torch.randn(job["N"], job["C"], requires_grad=True)
    return fwd_or_fwdbwd(job, lambda: torch.softmax(x, -1), [x])


def layer_norm(job):
    n, c = job["N"], job["C"]
    x = torch.randn(n, c, requires_grad=True)
    w = torch.ones(c, requires_grad=True)
    b = torch.zeros(c, requires_grad=True)
    return fwd_or_fwdbwd(job, lambda: F.layer_norm(x, (c,), w, b, 1e-12), [x, w, b])


class LlamaRMSNorm(nn.Module):
    """transformers' LlamaRMSNorm (torch 1.13 has no fused rms_norm)."""

    def __init__(self, hidden, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(hidden))
        self.eps = eps

    def forward(self, x):
        variance = x.pow(2).mean(-1, keepdim=True)
        return self.weight * (x * torch.rsqrt(variance + self.eps))


def rms_norm(job):
    x = torch.randn(job["N"], job["C"], requires_grad=True)
    norm = LlamaRMSNorm(job["C"])
    return fwd_or_fwdbwd(job, lambda: norm(x), [x, norm.weight])


def gpt2_attention(q, k, v, causal_bias):
    """GPT2Attention._attn (transformers 4.x), the path torch 1.13 runs."""
    w = torch.matmul(q, k.transpose(-1, -2))
    w = w / torch.full([], v.size(-1) ** 0.5, dtype=w.dtype)
    t = q.size(-2)
    mask = causal_bias[:, :, :t, :t]
    w = torch.where(mask, w, torch.full([], torch.finfo(w.dtype).min, dtype=w.dtype))
    w = torch.softmax(w, dim=-1)
    return torch.matmul(w, v)


def bert_attention(q, k, v, ext_mask, dropout_p=0.0, training=False):
    """BertSelfAttention.forward's core (transformers 4.x)."""
    s = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(q.size(-1))
    s = s + ext_mask
    p = torch.softmax(s, dim=-1)
    p = F.dropout(p, dropout_p, training)
    return torch.matmul(p, v)


def padding_mask(b, t):
    """The key padding mask bench/kernels.ts and train_step.ts use: row i keeps t - pad(i)."""
    m = torch.ones(b, t)
    for i in range(b):
        pad = (i * 37) % (t // 2)
        if pad:
            m[i, t - pad:] = 0
    return m


def extended_mask(mask):
    return (1.0 - mask[:, None, None, :]) * torch.finfo(torch.float32).min


def attention(job):
    b, h, t, d = job["B"], job["H"], job["T"], job["D"]
    q, k, v = (torch.randn(b, h, t, d, requires_grad=True) for _ in range(3))
    if job["mask"] == "causal":
        bias = torch.tril(torch.ones(t, t, dtype=torch.bool)).view(1, 1, t, t)
        fwd = lambda: gpt2_attention(q, k, v, bias)
    else:
        ext = extended_mask(padding_mask(b, t))
        fwd = lambda: bert_attention(q, k, v, ext)
    return fwd_or_fwdbwd(job, fwd, [q, k, v])


def cross_entropy(job):
    n, vocab = job["N"], job["V"]
    logits = torch.randn(n, vocab, requires_grad=True)
    target = torch.randint(0, vocab, (n,))

    def run():
        F.cross_entropy(logits, target).backward()
        logits.grad = None
    return run


def unary(job):
    x = torch.randn(job["n"], requires_grad=True)
    fn = F.gelu if job["op"] == "gelu" else F.silu
    return fwd_or_fwdbwd(job, lambda: fn(x), [x])


def dropout(job):
    x = torch.randn(job["n"], requires_grad=True)
    return fwd_or_fwdbwd({"mode": "fwdbwd"}, lambda: F.dropout(x, job["p"], True), [x])


def embedding(job):
    vocab, c, n = job["V"], job["C"], job["N"]
    w = torch.randn(vocab, c, requires_grad=True)
    ids = torch.randint(0, vocab, (n,))
    dy = torch.randn(n, c)

    def run():
        F.embedding(ids, w).backward(dy)
        w.grad = None
    return run


def adamw_params(sizes):
    params = [nn.Parameter(torch.randn(*s) * 0.02) for s in sizes]
    for p in params:
        p.grad = torch.randn_like(p) * 1e-3
    return params


def adamw(job):
    """Times both of 1.13's CPU implementations and keeps the faster (fused= came in 2.0)."""
    best = None
    for foreach in (False, True):
        params = adamw_params(job["sizes"])
        opt = torch.optim.AdamW(params, lr=1e-3, weight_decay=0.01, foreach=foreach)
        s = samples(opt.step, job["min_time"], max(job["warmup"], 1), job["min_calls"])
        if best is None or quantile(s) < quantile(best[0]):
            best = (s, f"foreach={foreach}")
        del opt, params
    return {"samples": best[0], "note": best[1]}


# ---------------------------------------------------------------- whole training steps

def set_(param, values):
    with torch.no_grad():
        param.copy_(values)


class Seeds:
    """Hands out the seeds in the order bench/train_step.ts does."""

    def __init__(self, start):
        self.next = start

    def take(self):
        self.next += 1
        return self.next


def hash_linear(lin, seeds, std, bias=True):
    set_(lin.weight, hash_uniform(list(lin.weight.shape), seeds.take(), std))
    if bias and lin.bias is not None:
        nn.init.zeros_(lin.bias)


class BertLayer(nn.Module):
    """BertLayer (self-attention, output, intermediate, output) with HF's module names."""

    def __init__(self, c):
        super().__init__()
        h = c["hidden"]
        self.heads = c["heads"]
        self.query, self.key, self.value = nn.Linear(h, h), nn.Linear(h, h), nn.Linear(h, h)
        self.attn_out = nn.Linear(h, h)
        self.ln1 = nn.LayerNorm(h, eps=1e-12)
        self.inter = nn.Linear(h, c["intermediate"])
        self.out = nn.Linear(c["intermediate"], h)
        self.ln2 = nn.LayerNorm(h, eps=1e-12)
        self.p = c["dropout"]

    def forward(self, x, ext_mask):
        b, t, h = x.shape
        split = lambda y: y.view(b, t, self.heads, h // self.heads).permute(0, 2, 1, 3)
        ctx = bert_attention(split(self.query(x)), split(self.key(x)), split(self.value(x)), ext_mask, self.p, self.training)
        ctx = ctx.permute(0, 2, 1, 3).contiguous().view(b, t, h)
        x = self.ln1(F.dropout(self.attn_out(ctx), self.p, self.training) + x)
        y = self.out(F.gelu(self.inter(x)))
        return self.ln2(F.dropout(y, self.p, self.training) + x)


class BertClassifier(nn.Module):
    """BertForSequenceClassification, trimmed to `layers` layers."""

    def __init__(self, c):
        super().__init__()
        h = c["hidden"]
        self.word = nn.Embedding(c["vocab"], h)
        self.pos = nn.Embedding(c["max_pos"], h)
        self.token_type = nn.Embedding(2, h)
        self.ln = nn.LayerNorm(h, eps=1e-12)
        self.layers = nn.ModuleList(BertLayer(c) for _ in range(c["layers"]))
        self.pooler = nn.Linear(h, h)
        self.classifier = nn.Linear(h, c["labels"])
        self.p = c["dropout"]
        seeds, std = Seeds(c["seed"]), 0.02
        for e in (self.word, self.pos, self.token_type):
            set_(e.weight, hash_uniform(list(e.weight.shape), seeds.take(), std))
        for layer in self.layers:
            for lin in (layer.query, layer.key, layer.value, layer.attn_out, layer.inter, layer.out):
                hash_linear(lin, seeds, std)
        hash_linear(self.pooler, seeds, std)
        hash_linear(self.classifier, seeds, std)

    def forward(self, ids, mask, labels):
        b, t = ids.shape
        pos = torch.arange(t).unsqueeze(0)
        x = self.word(ids) + self.token_type(torch.zeros_like(ids)) + self.pos(pos)
        x = F.dropout(self.ln(x), self.p, self.training)
        ext = extended_mask(mask)
        for layer in self.layers:
            x = layer(x, ext)
        pooled = torch.tanh(self.pooler(x[:, 0]))
        logits = self.classifier(F.dropout(pooled, self.p, self.training))
        return F.cross_entropy(logits, labels)


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def repeat_kv(x, n_rep):
    if n_rep == 1:
        return x
    b, kv, t, d = x.shape
    return x[:, :, None, :, :].expand(b, kv, n_rep, t, d).reshape(b, kv * n_rep, t, d)


class LoraLinear(nn.Module):
    """PEFT's lora.Linear: base(x) + B(A(x)) * alpha / r, base frozen."""

    def __init__(self, base, r, alpha, seeds):
        super().__init__()
        self.base = base
        self.lora_A = nn.Linear(base.in_features, r, bias=False)
        self.lora_B = nn.Linear(r, base.out_features, bias=False)
        # kaiming_uniform(a=sqrt(5)) on A is uniform on ±1/sqrt(in): std 1/sqrt(3 in).
        set_(self.lora_A.weight, hash_uniform([r, base.in_features], seeds.take(), 1 / math.sqrt(3 * base.in_features)))
        nn.init.zeros_(self.lora_B.weight)
        self.scaling = alpha / r

    def forward(self, x):
        return self.base(x) + self.lora_B(self.lora_A(x)) * self.scaling


class LlamaLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        h, self.heads, self.kv = c["hidden"], c["heads"], c["kv_heads"]
        self.d = h // self.heads
        self.input_layernorm = LlamaRMSNorm(h)
        self.q_proj = nn.Linear(h, self.heads * self.d, bias=False)
        self.k_proj = nn.Linear(h, self.kv * self.d, bias=False)
        self.v_proj = nn.Linear(h, self.kv * self.d, bias=False)
        self.o_proj = nn.Linear(h, h, bias=False)
        self.post_attention_layernorm = LlamaRMSNorm(h)
        self.gate_proj = nn.Linear(h, c["intermediate"], bias=False)
        self.up_proj = nn.Linear(h, c["intermediate"], bias=False)
        self.down_proj = nn.Linear(c["intermediate"], h, bias=False)

    def forward(self, x, cos, sin, causal):
        b, t, h = x.shape
        y = self.input_layernorm(x)
        q = self.q_proj(y).view(b, t, self.heads, self.d).transpose(1, 2)
        k = self.k_proj(y).view(b, t, self.kv, self.d).transpose(1, 2)
        v = self.v_proj(y).view(b, t, self.kv, self.d).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k, v = repeat_kv(k, self.heads // self.kv), repeat_kv(v, self.heads // self.kv)
        w = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(self.d) + causal
        w = torch.softmax(w, dim=-1, dtype=torch.float32)
        a = torch.matmul(w, v).transpose(1, 2).reshape(b, t, h)
        x = x + self.o_proj(a)
        y = self.post_attention_layernorm(x)
        return x + self.down_proj(F.silu(self.gate_proj(y)) * self.up_proj(y))


class LlamaLM(nn.Module):
    """LlamaForCausalLM (untied head), the attention path transformers runs on torch 1.13."""

    def __init__(self, c):
        super().__init__()
        h = c["hidden"]
        self.embed_tokens = nn.Embedding(c["vocab"], h)
        self.layers = nn.ModuleList(LlamaLayer(c) for _ in range(c["layers"]))
        self.norm = LlamaRMSNorm(h)
        self.lm_head = nn.Linear(h, c["vocab"], bias=False)
        seeds, std = Seeds(c["seed"]), 0.02
        set_(self.embed_tokens.weight, hash_uniform(list(self.embed_tokens.weight.shape), seeds.take(), std))
        for layer in self.layers:
            for lin in (layer.q_proj, layer.k_proj, layer.v_proj, layer.o_proj, layer.gate_proj, layer.up_proj, layer.down_proj):
                hash_linear(lin, seeds, std, bias=False)
        hash_linear(self.lm_head, seeds, std, bias=False)
        d = h // c["heads"]
        inv = 1.0 / (c["rope_theta"] ** (torch.arange(0, d, 2).float() / d))
        t = torch.arange(c["max_pos"]).float()
        freqs = torch.outer(t, inv)
        emb = torch.cat((freqs, freqs), dim=-1)
        self.cos, self.sin = emb.cos(), emb.sin()
        if c.get("lora_r"):
            for p in self.parameters():
                p.requires_grad_(False)
            for layer in self.layers:
                layer.q_proj = LoraLinear(layer.q_proj, c["lora_r"], c["lora_alpha"], seeds)
                layer.v_proj = LoraLinear(layer.v_proj, c["lora_r"], c["lora_alpha"], seeds)

    def forward(self, ids, labels):
        b, t = ids.shape
        x = self.embed_tokens(ids)
        cos, sin = self.cos[:t][None, None], self.sin[:t][None, None]
        causal = torch.full((t, t), torch.finfo(torch.float32).min).triu(1)[None, None]
        for layer in self.layers:
            x = layer(x, cos, sin, causal)
        logits = self.lm_head(self.norm(x))
        return F.cross_entropy(logits.view(-1, logits.size(-1)), labels.view(-1), ignore_index=-100)


def train_inputs(job):
    c = job["config"]
    b, t = job["B"], job["T"]
    ids = hash_ints([b, t], c["seed"] + 1000, c["vocab"])
    if job["model"] == "bert":
        labels = hash_ints([b], c["seed"] + 1001, c["labels"])
        return (ids, padding_mask(b, t), labels)
    labels = torch.cat((ids[:, 1:], torch.full((b, 1), -100, dtype=ids.dtype)), dim=1)
    return (ids, labels)


_train_cache = {}


def train(job):
    """Builds the model once per (model, config, threads) and times steps; rounds reuse it."""
    key = json.dumps({k: job.get(k) for k in ("model", "config", "B", "T", "lr", "foreach", "threads")}, sort_keys=True)
    if key not in _train_cache:
        _train_cache.clear()
        c = job["config"]
        torch.manual_seed(0)
        model = BertClassifier(c) if job["model"] == "bert" else LlamaLM(c)
        inputs = train_inputs(job)
        model.eval()
        with torch.no_grad():
            loss0 = float(model(*inputs))
        model.train()
        trainable = [p for p in model.parameters() if p.requires_grad]
        opt = torch.optim.AdamW(trainable, lr=job["lr"], weight_decay=0.01, foreach=job.get("foreach", False))
        _train_cache[key] = (model, inputs, opt, loss0, sum(p.numel() for p in trainable))
    model, inputs, opt, loss0, n_trainable = _train_cache[key]

    def step():
        loss = model(*inputs)
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)

    return {"samples": samples(step, job["min_time"], job["warmup"], job["min_calls"]), "loss": loss0,
            "note": f"{n_trainable} trainable"}


KINDS = {
    "gemm": gemm, "softmax": softmax, "layer_norm": layer_norm, "rms_norm": rms_norm,
    "attention": attention, "cross_entropy": cross_entropy, "unary": unary, "dropout": dropout, "embedding": embedding,
}
# Jobs that time themselves (they need more than one closure).
SELF_TIMED = {"adamw": adamw, "train": train}


def run(job):
    set_threads(job["threads"])
    kind = job["kind"]
    if kind in SELF_TIMED:
        return SELF_TIMED[kind](job)
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    return {"samples": samples(KINDS[kind](job), job["min_time"], job["warmup"], job["min_calls"])}


def main():
    for line in iter(sys.stdin.readline, ""):
        if not line.strip():
            continue
        try:
            out = run(json.loads(line))
        except Exception as e:  # the bench prints the message in the torch column
            out = {"samples": [], "error": f"{type(e).__name__}: {e}"}
        out["torch"] = torch.__version__
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
