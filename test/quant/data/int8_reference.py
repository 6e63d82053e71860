"""Writes int8_reference.safetensors: LLM.int8 reference values computed by PyTorch running
bitsandbytes' default-backend (pure torch) algorithm, restated here because bitsandbytes
itself cannot be installed on this machine. Run with Debian's python3-torch:

    /usr/bin/python3 test/quant/data/int8_reference.py

What it restates (bitsandbytes backends/default/ops.py, nn/modules.py Int8Params,
autograd/_functions.py MatMul8bitLt / MatMul8bitFp):
- Int8Params quantizes the weight cast to float16 with int8_vectorwise_quant:
  SCB = max |row| (float32), CB = round(W16 * (127.0 / SCB)) as int8;
- MatMul8bitFp (CPU training) uses W = CB.float() * (SCB * (1.0 / 127.0));
- int8_vectorwise_dequant (PEFT's merge) gives CB * SCB * 7.874015718698502e-3;
- MatMul8bitLt (eval) quantizes x.to(float16) per row with the outlier threshold, multiplies
  the int8 matrices in float32 (the default int8_linear_matmul), scales by
  SCA * SCB * 6.200124e-05, adds the bias, then adds x[:, outliers] @ dequant(CB[:, outliers]).T.
"""
import json
import os
import struct

import torch


def rowwise_int8(a, threshold=0.0):
    """int8_vectorwise_quant: (codes, row absmax, outlier columns or None); `a` is float16."""
    a = a.clone()
    cols = None
    if threshold > 0.0:
        big = a.abs() >= threshold
        cols = torch.nonzero(big.any(dim=0)).view(-1)
        a[big] = 0
    stats = a.abs().max(dim=1).values.float()
    codes = torch.round(a * (127.0 / stats.unsqueeze(-1))).to(torch.int8)
    if cols is not None and a.shape[0] > 1:
        codes[:, cols] = 0
    return codes, stats, cols


def llm_int8_eval(x, cb, scb, bias, threshold):
    ca, sca, cols = rowwise_int8(x.to(torch.float16), threshold)
    acc = torch.matmul(ca.float(), cb.float().t()).to(torch.int32)
    out = acc * (sca.reshape(-1, 1) * scb.reshape(1, -1)) * 6.200124e-05
    out = out + bias
    out = out.to(torch.float32)
    if cols is not None and cols.numel() > 0:
        sub_w = (cb[:, cols] * scb.view(-1, 1) * 7.874015718698502e-3).to(torch.float32).t()
        out = out.addmm(x[:, cols].contiguous(), sub_w)
    return out


def main():
    g = torch.Generator().manual_seed(0)
    w = torch.randn(24, 80, generator=g) * 0.05
    w[3] = 0.0                       # an all-zero row
    w[5, :8] = torch.tensor([1.0, 0.5, -0.25, 0.3, 2.0 ** -25, 70000.0 / 1e5, -1e-7, 3e-5])
    w_bf16 = (torch.randn(24, 80, generator=g) * 0.05).to(torch.bfloat16)
    x = torch.randn(7, 80, generator=g)
    x[2, 7] = 9.5                    # outliers past the default threshold 6.0
    x[4, 50] = -7.0
    bias = torch.randn(24, generator=g) * 0.1

    cb, scb, _ = rowwise_int8(w.to(torch.float16))
    cb_bf16, scb_bf16, _ = rowwise_int8(w_bf16.to(torch.float16))
    w_train = cb.float() * (scb.unsqueeze(1) * (1.0 / 127.0))
    w_dequant = cb * scb.view(-1, 1) * 7.874015718698502e-3
    out = {
        "w": w, "w_bf16": w_bf16, "x": x, "bias": bias,
        "cb": cb, "scb": scb, "cb_bf16": cb_bf16, "scb_bf16": scb_bf16,
        "w_train": w_train, "w_dequant": w_dequant,
        "y_threshold6": llm_int8_eval(x, cb, scb, bias, 6.0),
        "y_threshold0": llm_int8_eval(x, cb, scb, bias, 0.0),
    }
    write_safetensors(os.path.join(os.path.dirname(os.path.abspath(__file__)), "int8_reference.safetensors"), out,
                      {"torch": torch.__version__})


def write_safetensors(path, tensors, metadata):
    names = {torch.float32: "F32", torch.bfloat16: "BF16", torch.int8: "I8"}
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name, t in tensors.items():
        t = t.contiguous()
        raw = (t.view(torch.int16) if t.dtype == torch.bfloat16 else t).numpy().tobytes()
        header[name] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


if __name__ == "__main__":
    main()
