"""The PyTorch side of `npm run bench -- models`: BERT, GPT-2 and Llama as plain PyTorch
modules with Hugging Face's semantics (transformers 4.x eager paths, dropout 0), loading the
very safetensors folder tunelab wrote, so both engines hold the same weights.

Debian's python3-torch (1.13) has neither transformers nor the safetensors package: the
format is parsed here (8-byte little-endian header length, JSON header, raw bytes), each
tensor a view of one bytearray per file (no second copy of the weights).

A worker: one JSON command per line on stdin, one JSON answer per line on stdout
(bench/models.ts drives it; see bench/models_protocol.md's summary there).
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


def assign(module, state, prefix_map=None, allow_missing=()):
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


META = {"device": "meta"}

# ---------------------------------------------------------------- BERT (BertForSequenceClassification)


class BertEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        h = c["hidden_size"]
        self.word_embeddings = nn.Embedding(c["vocab_size"], h, **META)
        self.position_embeddings = nn.Embedding(c["max_position_embeddings"], h, **META)
        self.token_type_embeddings = nn.Embedding(c["type_vocab_size"], h, **META)
        self.LayerNorm = nn.LayerNorm(h, eps=c["layer_norm_eps"], **META)

    def forward(self, ids, types):
        pos = torch.arange(ids.shape[1])[None]
        x = self.word_embeddings(ids) + self.token_type_embeddings(types) + self.position_embeddings(pos)
        return self.LayerNorm(x)


class Dense(nn.Module):
    """BertSelfOutput / BertOutput: dense, residual, LayerNorm."""

    def __init__(self, n_in, n_out, eps):
        super().__init__()
        self.dense = nn.Linear(n_in, n_out, **META)
        self.LayerNorm = nn.LayerNorm(n_out, eps=eps, **META)

    def forward(self, x, residual):
        return self.LayerNorm(self.dense(x) + residual)


class BertSelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        h = c["hidden_size"]
        self.heads = c["num_attention_heads"]
        self.query, self.key, self.value = (nn.Linear(h, h, **META) for _ in range(3))

    def forward(self, x, ext_mask):
        b, t, h = x.shape
        split = lambda y: y.view(b, t, self.heads, h // self.heads).transpose(1, 2)  # noqa: E731
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        s = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(h // self.heads) + ext_mask
        ctx = torch.matmul(torch.softmax(s, dim=-1), v)
        return ctx.transpose(1, 2).reshape(b, t, h)


class BertAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self = BertSelfAttention(c)
        self.output = Dense(c["hidden_size"], c["hidden_size"], c["layer_norm_eps"])

    def forward(self, x, ext_mask):
        return self.output(self.self(x, ext_mask), x)


class BertIntermediate(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["intermediate_size"], **META)

    def forward(self, x):
        return F.gelu(self.dense(x))  # hidden_act "gelu": the exact erf form


class BertLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention = BertAttention(c)
        self.intermediate = BertIntermediate(c)
        self.output = Dense(c["intermediate_size"], c["hidden_size"], c["layer_norm_eps"])

    def forward(self, x, ext_mask):
        a = self.attention(x, ext_mask)
        return self.output(self.intermediate(a), a)


class BertEncoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList(BertLayer(c) for _ in range(c["num_hidden_layers"]))


class BertPooler(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c["hidden_size"], c["hidden_size"], **META)

    def forward(self, x):
        return torch.tanh(self.dense(x[:, 0]))


class BertModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = BertEmbeddings(c)
        self.encoder = BertEncoder(c)
        self.pooler = BertPooler(c)


def num_labels(c):
    """config.json records num_labels as id2label, as transformers writes it."""
    return c.get("num_labels") or len(c.get("id2label") or {}) or 2


class BertForSequenceClassification(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.bert = BertModel(c)
        self.classifier = nn.Linear(c["hidden_size"], num_labels(c), **META)

    def forward(self, ids, mask, labels=None):
        x = self.bert.embeddings(ids, torch.zeros_like(ids))
        ext = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        for layer in self.bert.encoder.layer:
            x = layer(x, ext)
        logits = self.classifier(self.bert.pooler(x))
        return logits if labels is None else F.cross_entropy(logits, labels)


# ---------------------------------------------------------------- GPT-2 (GPT2LMHeadModel)


class Conv1D(nn.Module):
    """transformers' Conv1D: weight stored (in, out), y = x @ W + b."""

    def __init__(self, n_in, n_out):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(n_in, n_out, **META))
        self.bias = nn.Parameter(torch.empty(n_out, **META))

    def forward(self, x):
        return torch.addmm(self.bias, x.reshape(-1, x.shape[-1]), self.weight).view(*x.shape[:-1], -1)


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class GPT2Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        h = c["n_embd"]
        self.heads = c["n_head"]
        self.c_attn = Conv1D(h, 3 * h)
        self.c_proj = Conv1D(h, h)

    def forward(self, x, past=None):
        b, t, h = x.shape
        q, k, v = self.c_attn(x).split(h, dim=2)
        split = lambda y: y.view(b, t, self.heads, h // self.heads).transpose(1, 2)  # noqa: E731
        q, k, v = split(q), split(k), split(v)
        if past is not None:
            k, v = torch.cat([past[0], k], dim=2), torch.cat([past[1], v], dim=2)
        s = torch.matmul(q, k.transpose(-1, -2)) / torch.full([], v.size(-1) ** 0.5)
        n = k.shape[2]
        causal = torch.ones(t, n, dtype=torch.bool).tril(n - t)
        s = torch.where(causal, s, torch.full([], torch.finfo(s.dtype).min))
        ctx = torch.matmul(torch.softmax(s, dim=-1), v).transpose(1, 2).reshape(b, t, h)
        return self.c_proj(ctx), (k, v)


class GPT2MLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        h = c["n_embd"]
        self.c_fc = Conv1D(h, 4 * h)
        self.c_proj = Conv1D(4 * h, h)

    def forward(self, x):
        return self.c_proj(gelu_new(self.c_fc(x)))


class GPT2Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        h, eps = c["n_embd"], c["layer_norm_epsilon"]
        self.ln_1 = nn.LayerNorm(h, eps=eps, **META)
        self.attn = GPT2Attention(c)
        self.ln_2 = nn.LayerNorm(h, eps=eps, **META)
        self.mlp = GPT2MLP(c)

    def forward(self, x, past=None):
        a, present = self.attn(self.ln_1(x), past)
        x = x + a
        return x + self.mlp(self.ln_2(x)), present


class GPT2Model(nn.Module):
    def __init__(self, c):
        super().__init__()
        h = c["n_embd"]
        self.wte = nn.Embedding(c["vocab_size"], h, **META)
        self.wpe = nn.Embedding(c["n_positions"], h, **META)
        self.h = nn.ModuleList(GPT2Block(c) for _ in range(c["n_layer"]))
        self.ln_f = nn.LayerNorm(h, eps=c["layer_norm_epsilon"], **META)


def causal_lm_loss(logits, labels):
    return F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), labels[:, 1:].reshape(-1))


class GPT2LMHeadModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.transformer = GPT2Model(c)

    def forward(self, ids, labels=None, past=None):
        start = 0 if past is None else past[0][0].shape[2]
        pos = torch.arange(start, start + ids.shape[1])[None]
        x = self.transformer.wte(ids) + self.transformer.wpe(pos)
        presents = []
        for i, block in enumerate(self.transformer.h):
            x, p = block(x, None if past is None else past[i])
            presents.append(p)
        logits = F.linear(self.transformer.ln_f(x), self.transformer.wte.weight)  # tied lm_head
        if labels is not None:
            return causal_lm_loss(logits, labels)
        return logits, presents


# ---------------------------------------------------------------- Llama (LlamaForCausalLM)


class LlamaRMSNorm(nn.Module):
    def __init__(self, h, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(h, **META))
        self.eps = eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


def rotate_half(x):
    a, b = x.chunk(2, dim=-1)
    return torch.cat((-b, a), dim=-1)


class LlamaAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        h = c["hidden_size"]
        self.heads, self.kv = c["num_attention_heads"], c["num_key_value_heads"]
        d = h // self.heads
        self.q_proj = nn.Linear(h, self.heads * d, bias=False, **META)
        self.k_proj = nn.Linear(h, self.kv * d, bias=False, **META)
        self.v_proj = nn.Linear(h, self.kv * d, bias=False, **META)
        self.o_proj = nn.Linear(self.heads * d, h, bias=False, **META)

    def forward(self, x, cos, sin):
        b, t, h = x.shape
        d = h // self.heads
        q = self.q_proj(x).view(b, t, self.heads, d).transpose(1, 2)
        k = self.k_proj(x).view(b, t, self.kv, d).transpose(1, 2)
        v = self.v_proj(x).view(b, t, self.kv, d).transpose(1, 2)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        rep = self.heads // self.kv
        k = k[:, :, None].expand(b, self.kv, rep, t, d).reshape(b, self.heads, t, d)
        v = v[:, :, None].expand(b, self.kv, rep, t, d).reshape(b, self.heads, t, d)
        s = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(d)
        s = s + torch.full((t, t), torch.finfo(s.dtype).min).triu(1)
        p = torch.softmax(s, dim=-1, dtype=torch.float32)
        return self.o_proj(torch.matmul(p, v).transpose(1, 2).reshape(b, t, h))


class LlamaMLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        h, i = c["hidden_size"], c["intermediate_size"]
        self.gate_proj = nn.Linear(h, i, bias=False, **META)
        self.up_proj = nn.Linear(h, i, bias=False, **META)
        self.down_proj = nn.Linear(i, h, bias=False, **META)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class LlamaDecoderLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.input_layernorm = LlamaRMSNorm(c["hidden_size"], c["rms_norm_eps"])
        self.self_attn = LlamaAttention(c)
        self.post_attention_layernorm = LlamaRMSNorm(c["hidden_size"], c["rms_norm_eps"])
        self.mlp = LlamaMLP(c)

    def forward(self, x, cos, sin):
        x = x + self.self_attn(self.input_layernorm(x), cos, sin)
        return x + self.mlp(self.post_attention_layernorm(x))


class LlamaModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embed_tokens = nn.Embedding(c["vocab_size"], c["hidden_size"], **META)
        self.layers = nn.ModuleList(LlamaDecoderLayer(c) for _ in range(c["num_hidden_layers"]))
        self.norm = LlamaRMSNorm(c["hidden_size"], c["rms_norm_eps"])


class LlamaForCausalLM(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.model = LlamaModel(c)
        self.lm_head = nn.Linear(c["hidden_size"], c["vocab_size"], bias=False, **META)

    def forward(self, ids, labels=None):
        c = self.c
        d = c["hidden_size"] // c["num_attention_heads"]
        t = ids.shape[1]
        inv = 1.0 / (c.get("rope_theta", 10000.0) ** (torch.arange(0, d, 2).float() / d))
        freqs = torch.outer(torch.arange(t).float(), inv)
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos()[None, None], emb.sin()[None, None]
        x = self.model.embed_tokens(ids)
        for layer in self.model.layers:
            x = layer(x, cos, sin)
        logits = self.lm_head(self.model.norm(x))
        return logits if labels is None else causal_lm_loss(logits, labels)


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
