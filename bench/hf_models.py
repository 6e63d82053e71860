"""BERT, GPT-2 and Llama as plain PyTorch modules with Hugging Face transformers' semantics
(the 4.x eager paths that torch 1.13 runs: explicit matmul/softmax/matmul attention), for
bench/models_torch.py. Parameter names match transformers' state dicts exactly, so the
safetensors tunelab writes load by name; modules are built on the meta device and their
parameters then point at the checkpoint's tensors (no second copy).
"""
import math

import torch
import torch.nn.functional as F
from torch import nn

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
