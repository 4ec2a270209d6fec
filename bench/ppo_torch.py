#!/usr/bin/python3
"""gensim learn's PPO update (core/src/skill/ppo.c, net.c) in PyTorch, for timing.

Reads the batch and the network that bench/ppo_speed recorded from one
gensim learn iteration (DIR/batch.json, DIR/batch.bin) and runs the same
update on it:

  network   two MLPs over the normalised observation (normalised and clipped
            at collection, so the batch holds what the update sees): the
            policy obs -> hidden -> hidden -> 5 and the value obs -> hidden
            -> hidden -> 1, tanh between, nn.Linear's (out, in) weights as
            the C side lays them out; a learned log standard deviation per
            move dimension (4), not a function of the observation
  log-prob  the 4 move dimensions Gaussian about the policy's first 4
            outputs, the suction Bernoulli with the fifth as its logit
  loss      mean of -min(r A, clip(r, 1 - c, 1 + c) A) + vf * 0.5 (V - R)^2
            - ent * entropy, r = exp(logp - logp_old)
  step      gradients' global norm clipped to max_grad_norm (scale
            max / (norm + 1e-6)), then Adam as gsk_net_step takes it: eps is
            added to sqrt(v) before the bias correction, so the step is
            lr sqrt(1 - b2^t) / (1 - b1^t) m / (sqrt(v) + eps)
  update    epochs passes over the batch, each a fresh permutation cut into
            minibatches

Checks the C side's first minibatch step (loss, gradient norm, loss after
one Adam step, all from batch.json) and prints the differences; then times
update samples/s (and the process's CPU microseconds per sample) on --threads threads (torch.set_num_threads) and the
policy's forward pass on one observation (both networks, no autograd), as a
PyTorch learner would call it once per environment step. Prints one JSON
line.

Usage: /usr/bin/python3 bench/ppo_torch.py DIR [--threads T] [--reps R]
"""
import argparse
import json
import math
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

LOG_2PI = math.log(2 * math.pi)


def mlp(obs, hidden, out):
    return nn.Sequential(nn.Linear(obs, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh(),
                         nn.Linear(hidden, out))


class ActorCritic(nn.Module):
    def __init__(self, meta):
        super().__init__()
        self.move = meta["move"]
        self.pi = mlp(meta["obs"], meta["hidden"], meta["out"])
        self.v = mlp(meta["obs"], meta["hidden"], 1)
        self.log_std = nn.Parameter(torch.zeros(self.move))

    def load_flat(self, meta, w):
        """The C side's flat parameters, by name."""
        names = {"pi.log_std": self.log_std}
        for net, seq in (("pi", self.pi), ("v", self.v)):
            for l, layer in enumerate((seq[0], seq[2], seq[4])):
                names[f"{net}.{l}.weight"], names[f"{net}.{l}.bias"] = layer.weight, layer.bias
        with torch.no_grad():
            for p in meta["params"]:
                size = p["rows"] * max(p["cols"], 1)
                t = torch.from_numpy(w[p["offset"]:p["offset"] + size].copy())
                names[p["name"]].copy_(t.view_as(names[p["name"]]))

    def forward(self, x):
        return self.pi(x), self.v(x).squeeze(-1)


def ppo_loss(model, x, act, logp_old, adv, ret, meta):
    out, value = model(x)
    mu, logit = out[:, :model.move], out[:, model.move]
    ls = model.log_std
    z = (act[:, :model.move] - mu) / ls.exp()
    logp = (-0.5 * z * z - ls - 0.5 * LOG_2PI).sum(-1)
    suction = act[:, model.move]
    logp = logp + suction * logit - F.softplus(logit)
    ratio = torch.exp(logp - logp_old)
    clip = meta["clip"]
    policy = -torch.min(ratio * adv, ratio.clamp(1 - clip, 1 + clip) * adv).mean()
    vloss = (0.5 * (value - ret) ** 2).mean()
    p = torch.sigmoid(logit)
    entropy = (ls + 0.5 * (LOG_2PI + 1)).sum() + (F.softplus(logit) - logit * p).mean()
    return policy + meta["vf_coef"] * vloss - meta["ent_coef"] * entropy


class Adam:
    """gsk_net_step's Adam (eps before the bias correction)."""

    def __init__(self, params, meta):
        self.params = list(params)
        self.b1, self.b2, self.eps = meta["adam_beta1"], meta["adam_beta2"], meta["adam_eps"]
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]
        self.t = 0

    @torch.no_grad()
    def step(self, lr):
        self.t += 1
        step = lr * math.sqrt(1 - self.b2 ** self.t) / (1 - self.b1 ** self.t)
        for p, m, v in zip(self.params, self.m, self.v):
            m.mul_(self.b1).add_(p.grad, alpha=1 - self.b1)
            v.mul_(self.b2).addcmul_(p.grad, p.grad, value=1 - self.b2)
            p.addcdiv_(m, v.sqrt().add_(self.eps), value=-step)


def minibatch_step(model, opt, batch, idx, meta):
    for p in model.parameters():
        p.grad = None
    loss = ppo_loss(model, *(t[idx] for t in batch), meta)
    loss.backward()
    norm = nn.utils.clip_grad_norm_(model.parameters(), meta["max_grad_norm"])
    opt.step(meta["lr"])
    return loss.item(), norm.item()


def update(model, opt, batch, meta, gen):
    n, mb = batch[0].shape[0], meta["minibatch"]
    seen = 0
    for _ in range(meta["epochs"]):
        perm = torch.randperm(n, generator=gen)
        for start in range(0, n, mb):
            idx = perm[start:start + mb]
            minibatch_step(model, opt, batch, idx, meta)
            seen += idx.shape[0]
    return seen


def load(path):
    meta = json.load(open(f"{path}/batch.json"))
    raw = np.fromfile(f"{path}/batch.bin", dtype=np.float32)
    n, obs, out = meta["n"], meta["obs"], meta["out"]
    sizes = [n * obs, n * out, n, n, n, meta["nparams"]]
    parts, at = [], 0
    for s in sizes:
        parts.append(raw[at:at + s])
        at += s
    if at != raw.size:
        raise SystemExit(f"ppo_torch: {path}/batch.bin holds {raw.size} floats, not {at}")
    batch = (torch.from_numpy(parts[0].reshape(n, obs).copy()), torch.from_numpy(parts[1].reshape(n, out).copy()),
             *(torch.from_numpy(p.copy()) for p in parts[2:5]))
    return meta, batch, parts[5]


def check(meta, batch, w):
    """The first minibatch, one step, against the C side's figures."""
    model = ActorCritic(meta)
    model.load_flat(meta, w)
    opt = Adam(model.parameters(), meta)
    c = meta["check"]
    idx = torch.arange(c["m"])
    loss, norm = minibatch_step(model, opt, batch, idx, meta)
    with torch.no_grad():
        after = ppo_loss(model, *(t[idx] for t in batch), meta).item()
    rel = lambda a, b: abs(a - b) / max(abs(b), 1e-12)
    return {"loss": loss, "grad_norm": norm, "loss_after": after, "rel_loss": rel(loss, c["loss"]),
            "rel_grad_norm": rel(norm, c["grad_norm"]), "rel_loss_after": rel(after, c["loss_after"])}


def time_update(meta, batch, w, reps):
    model = ActorCritic(meta)
    model.load_flat(meta, w)
    opt = Adam(model.parameters(), meta)
    gen = torch.Generator().manual_seed(0)
    update(model, opt, batch, meta, gen)  # unmeasured: allocator and caches warm
    t0, c0 = time.perf_counter(), time.process_time()
    seen = sum(update(model, opt, batch, meta, gen) for _ in range(reps))
    return seen / (time.perf_counter() - t0), (time.process_time() - c0) * 1e6 / seen


def time_act(meta, batch, w, steps):
    model = ActorCritic(meta)
    model.load_flat(meta, w)
    x = batch[0].numpy()
    with torch.no_grad():
        for i in range(100):
            model(torch.from_numpy(x[i % x.shape[0]]).unsqueeze(0))
        t0 = time.perf_counter()
        for i in range(steps):
            model(torch.from_numpy(x[i % x.shape[0]]).unsqueeze(0))
    return (time.perf_counter() - t0) * 1e6 / steps


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--act-steps", type=int, default=20000)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    meta, batch, w = load(a.dir)
    res = {"threads": a.threads, "torch": torch.__version__, "parameters": meta["nparams"]}
    res.update({"check_" + k: v for k, v in check(meta, batch, w).items()})
    res["update_samples_per_s"], res["update_cpu_us_per_sample"] = time_update(meta, batch, w, a.reps)
    res["act_us"] = time_act(meta, batch, w, a.act_steps)
    print(json.dumps(res))


if __name__ == "__main__":
    main()
