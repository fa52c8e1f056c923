#!/usr/bin/python3
"""Independent reference forward pass for bahed's LlamaModel (Llama/Qwen2).

Reads a Hugging Face model directory by itself (config.json and
model.safetensors: 8-byte little-endian header length, JSON header, raw
data), runs the decoder in float64 one sequence at a time (no padding, no
batching tricks) and writes next-token logits as raw little-endian float32
[batch, tokens, vocab], zeros past each sequence's length.

Written from the published architecture, sharing no code with the C++ side:
loops over heads instead of folding grouped-query attention, a per-frequency
loop for llama3 rope scaling, the expected tensor names derived from the
config and checked against the file.

Usage: reference_llama.py MODEL_DIR INPUT_JSON OUTPUT_BIN
  INPUT_JSON: {"token_ids": [[...], ...], "lengths": [...]}
Needs Debian's python3-torch (run with /usr/bin/python3).
"""
import json
import math
import os
import struct
import sys

import torch

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "F64": torch.float64}


def read_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8 : 8 + n].decode("utf-8"))
    data = blob[8 + n :]
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        dtype = DTYPES[entry["dtype"]]
        t = torch.frombuffer(bytearray(data[begin:end]), dtype=dtype) if end > begin else torch.empty(0, dtype=dtype)
        tensors[name] = t.reshape(entry["shape"]).to(torch.float64)
    return tensors


def expected_names(cfg):
    qwen2 = cfg["model_type"] == "qwen2"
    qkv_bias = qwen2 or cfg.get("attention_bias", False)
    o_bias = (not qwen2) and cfg.get("attention_bias", False)
    mlp_bias = (not qwen2) and cfg.get("mlp_bias", False)
    names = {"model.embed_tokens.weight", "model.norm.weight"}
    if not cfg.get("tie_word_embeddings", False):
        names.add("lm_head.weight")
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        names |= {p + "input_layernorm.weight", p + "post_attention_layernorm.weight"}
        for proj in ("q_proj", "k_proj", "v_proj"):
            names.add(p + "self_attn." + proj + ".weight")
            if qkv_bias:
                names.add(p + "self_attn." + proj + ".bias")
        names.add(p + "self_attn.o_proj.weight")
        if o_bias:
            names.add(p + "self_attn.o_proj.bias")
        for proj in ("gate_proj", "up_proj", "down_proj"):
            names.add(p + "mlp." + proj + ".weight")
            if mlp_bias:
                names.add(p + "mlp." + proj + ".bias")
    return names


def inverse_frequencies(cfg, head_dim):
    theta = float(cfg.get("rope_theta", 10000.0))
    freqs = [1.0 / theta ** (i / head_dim) for i in range(0, head_dim, 2)]
    scaling = cfg.get("rope_scaling") or {}
    kind = scaling.get("rope_type", scaling.get("type", "default"))
    if kind == "linear":
        freqs = [f / scaling["factor"] for f in freqs]
    elif kind == "llama3":
        factor = scaling["factor"]
        low, high = scaling["low_freq_factor"], scaling["high_freq_factor"]
        original = scaling["original_max_position_embeddings"]
        scaled = []
        for f in freqs:
            wavelen = 2 * math.pi / f
            if wavelen < original / high:
                scaled.append(f)
            elif wavelen > original / low:
                scaled.append(f / factor)
            else:
                smooth = (original / wavelen - low) / (high - low)
                scaled.append((1 - smooth) * f / factor + smooth * f)
        freqs = scaled
    elif kind != "default":
        raise SystemExit(f"unsupported rope type {kind}")
    return torch.tensor(freqs, dtype=torch.float64)


def rms_norm(x, weight, eps):
    return weight * (x / torch.sqrt((x * x).mean(-1, keepdim=True) + eps))


def forward(cfg, w, ids):
    n_tokens = len(ids)
    hidden = cfg["hidden_size"]
    n_heads = cfg["num_attention_heads"]
    n_kv = cfg.get("num_key_value_heads") or n_heads
    head_dim = cfg.get("head_dim") or hidden // n_heads
    eps = cfg.get("rms_norm_eps", 1e-6)

    def linear(x, prefix):
        y = x @ w[prefix + ".weight"].T
        return y + w[prefix + ".bias"] if prefix + ".bias" in w else y

    angles = torch.arange(n_tokens, dtype=torch.float64)[:, None] * inverse_frequencies(cfg, head_dim)[None, :]
    cos, sin = torch.cos(angles), torch.sin(angles)

    def rotate(t):  # t: [tokens, head_dim]; dimension i pairs with i + head_dim/2
        a, b = t[:, : head_dim // 2], t[:, head_dim // 2 :]
        return torch.cat([a * cos - b * sin, b * cos + a * sin], -1)

    x = w["model.embed_tokens.weight"][torch.tensor(ids)]
    for layer in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{layer}."
        h = rms_norm(x, w[p + "input_layernorm.weight"], eps)
        q = linear(h, p + "self_attn.q_proj").reshape(n_tokens, n_heads, head_dim)
        k = linear(h, p + "self_attn.k_proj").reshape(n_tokens, n_kv, head_dim)
        v = linear(h, p + "self_attn.v_proj").reshape(n_tokens, n_kv, head_dim)
        heads = []
        for head in range(n_heads):
            kv = head // (n_heads // n_kv)
            qh, kh = rotate(q[:, head]), rotate(k[:, kv])
            scores = qh @ kh.T / math.sqrt(head_dim)
            for i in range(n_tokens):
                scores[i, i + 1 :] = float("-inf")
            heads.append(torch.softmax(scores, -1) @ v[:, kv])
        x = x + linear(torch.cat(heads, -1), p + "self_attn.o_proj")
        h = rms_norm(x, w[p + "post_attention_layernorm.weight"], eps)
        gate = linear(h, p + "mlp.gate_proj")
        x = x + linear(gate * torch.sigmoid(gate) * linear(h, p + "mlp.up_proj"), p + "mlp.down_proj")
    x = rms_norm(x, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings", False) else w["lm_head.weight"]
    return x @ head.T


def main():
    model_dir, input_path, output_path = sys.argv[1:4]
    with open(os.path.join(model_dir, "config.json")) as f:
        cfg = json.load(f)
    if cfg["model_type"] not in ("llama", "qwen2"):
        raise SystemExit(f"unsupported model_type {cfg['model_type']}")
    w = read_safetensors(os.path.join(model_dir, "model.safetensors"))
    names = expected_names(cfg)
    if set(w) != names:
        raise SystemExit(f"tensor names differ: missing {sorted(names - set(w))}, extra {sorted(set(w) - names)}")
    with open(input_path) as f:
        batch = json.load(f)
    token_ids, lengths = batch["token_ids"], batch["lengths"]
    n_tokens = len(token_ids[0])
    out = torch.zeros(len(token_ids), n_tokens, cfg["vocab_size"], dtype=torch.float64)
    with torch.no_grad():
        for b, (ids, n) in enumerate(zip(token_ids, lengths)):
            out[b, :n] = forward(cfg, w, ids[:n])
    with open(output_path, "wb") as f:
        f.write(out.to(torch.float32).numpy().tobytes())


if __name__ == "__main__":
    main()
