#!/usr/bin/python3
"""The gensim Transporter (core/src/policy/policy.c) in PyTorch, for timing.

Same architecture, layer by layer: three streams (attention, key, query),
each two stride-2 3x3 convolutions then 2 residual blocks of two 3x3
convolutions, every convolution without bias followed by group norm
(channels / 4 groups) whose affine is the language FiLM (gamma = 1 + f,
beta = f), the block's input added before the second convolution's ReLU,
then a 1x1 head with bias; with --dilated 1 the attention and key streams'
residual convolutions take taps 1, 2, 4, 8 cells apart; with --color-words 1
the input has a fifth channel. Language: the mean of hashed word embeddings
(vocab x 2 channels) through one linear layer to every FiLM site.
Attention: 16 logits per quarter-resolution cell, one per pixel of it
(depth to space), softmax over pixels. Transport: the crop (57 x 57)
around the pick turned to each of 36 rotations through the query stream
gives (rotations x channels/2 x 15 x 15) kernels, correlated with the
first channels/2 of the key stream's features (padding 7), scaled by
1/sqrt(fan-in), repeated over each cell's 4 x 4 pixels, plus a sub-cell
term from the key head's 16 further channels (depth to space, the same
for every rotation); softmax over rotations x pixels. The losses are the
two cross-entropies. With --rotate-features 1 the query stream runs once on
an unturned 81 x 81 crop and its 21 x 21 features are turned to each
rotation (bilinear), as gensim train --rotate-features 1.

Measures, on --threads threads (torch.set_num_threads, default 1): the
latency of one pick-and-place decision (act), and training samples per
second at a batch size (forward, backward, Adam). Prints one JSON line.

Usage: /usr/bin/python3 bench/policy_torch.py [--batch B] [--reps N] [--threads T]
       [--dilated 0|1] [--color-words 0|1] [--rotate-features 0|1] [--channels C] [--rows R] [--cols C] [--rotations N] [--crop N]
"""
import argparse
import json
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

NRES = 2
NLAYERS = 2 + 2 * NRES
FACTOR = 4


class Stream(nn.Module):
    def __init__(self, in_ch, width, out_ch, dilated=False):
        super().__init__()
        self.width = width
        # dilated: the residual convolutions' taps 1, 2, 4, 8 cells apart
        dil = [1, 1] + [2 ** (l - 2) if dilated else 1 for l in range(2, NLAYERS)]
        self.convs = nn.ModuleList(
            nn.Conv2d(in_ch if l == 0 else width, width, 3, stride=2 if l < 2 else 1, padding=dil[l],
                      dilation=dil[l], bias=False)
            for l in range(NLAYERS))
        self.head = nn.Conv2d(width, out_ch, 1)

    def forward(self, x, film):
        # film: (n, NLAYERS, 2, width) scale and shift per image
        acts = []
        for l, conv in enumerate(self.convs):
            z = conv(x)
            a = F.group_norm(z, self.width // 4)
            gamma = 1 + film[:, l, 0, :, None, None]
            beta = film[:, l, 1, :, None, None]
            a = a * gamma + beta
            if l >= 3 and (l - 3) % 2 == 0:
                a = a + acts[l - 2]
            a = F.relu(a)
            acts.append(a)
            x = a
        return self.head(x)


def quarter(n):
    for _ in range(2):
        n = (n + 2 - 3) // 2 + 1
    return n


def turn_grids(side, turns, rotations):
    # one sampling grid per turn, a side x side crop centred on (0, 0) in pixels
    half = (side - 1) / 2
    ys, xs = torch.meshgrid(torch.arange(side) - half, torch.arange(side) - half, indexing="ij")
    grids = []
    for r in range(turns):
        t = r * 2 * math.pi / rotations
        c, s = math.cos(t), math.sin(t)
        grids.append(torch.stack([c * xs + s * ys, -s * xs + c * ys], -1))  # as gsn_rotated_crop
    return torch.stack(grids).float()  # (turns, side, side, 2) as (dx, dy)


def sample(x, offsets, centre):
    # x: (n, c, H, W); offsets (turns, side, side, 2); centre (n, 2) as (x, y) -> (n * turns, c, side, side)
    n, c, hh, ww = x.shape
    turns, side = offsets.shape[0], offsets.shape[1]
    pix = offsets[None] + centre[:, None, None, None, :]
    norm = torch.empty_like(pix)
    norm[..., 0] = (pix[..., 0] + 0.5) / ww * 2 - 1
    norm[..., 1] = (pix[..., 1] + 0.5) / hh * 2 - 1
    out = F.grid_sample(x, norm.view(n, turns * side, side, 2), mode="bilinear", padding_mode="zeros",
                        align_corners=False)
    out = out.view(n, c, turns, side, side).permute(0, 2, 1, 3, 4)
    return out.reshape(n * turns, c, side, side)


class Transporter(nn.Module):
    def __init__(self, rows, cols, rotations, crop, channels, vocab, dilated=False, in_ch=4, rotate_features=False):
        super().__init__()
        self.rows, self.cols, self.rotations, self.crop = rows, cols, rotations, crop
        self.channels, self.vocab = channels, vocab
        self.key_ch = channels // 2
        self.embed = nn.Embedding(vocab, 2 * channels)
        self.film = nn.Linear(2 * channels, 3 * NLAYERS * 2 * channels)
        self.attn = Stream(in_ch, channels, FACTOR * FACTOR, dilated)
        self.key = Stream(in_ch, channels, self.key_ch + FACTOR * FACTOR, dilated)
        self.query = Stream(in_ch, channels, self.key_ch)
        self.k = quarter(crop)
        self.corr_scale = 1.0 / math.sqrt(self.key_ch * self.k * self.k)
        # with rotate_features the query runs on one wider, unturned crop and
        # its features are turned (gensim's policy.c, query_side)
        self.rotate_features = rotate_features
        self.qside = 8 * math.ceil((crop - 1) // 8 * math.sqrt(2)) + 1 if rotate_features else crop
        self.kq = quarter(self.qside)
        self.register_buffer("offsets", turn_grids(self.qside, 1 if rotate_features else rotations, rotations))
        self.register_buffer("feature_offsets", turn_grids(self.k, rotations, rotations))

    def films(self, words):
        # words: list of lists of bucket indices, one per image
        lang = torch.stack([self.embed(torch.tensor(w)).mean(0) for w in words])
        f = self.film(lang).view(len(words), 3, NLAYERS, 2, self.channels)
        return f[:, 0], f[:, 1], f[:, 2]

    def crops(self, x, picks):
        # x: (n, 4, R, C); picks: (n, 2) row, col -> (n * turns, 4, qside, qside)
        centre = torch.tensor([[p[1], p[0]] for p in picks], dtype=torch.float32)  # x = col, y = row
        return sample(x, self.offsets, centre)

    def turn(self, q):
        # q: (n, kc, kq, kq) -> (n * rot, kc, k, k), each rotation's kernel turned from the centre
        c = (self.kq - 1) / 2
        return sample(q, self.feature_offsets, torch.tensor([[c, c]]).expand(q.shape[0], 2))

    def attention(self, x, film):
        return F.pixel_shuffle(self.attn(x, film), FACTOR)

    def transport(self, x, picks, film_key, film_query):
        n = x.shape[0]
        out = self.key(x, film_key)
        keys, phase = out[:, :self.key_ch], F.pixel_shuffle(out[:, self.key_ch:], FACTOR)
        if self.rotate_features:
            q = self.turn(self.query(self.crops(x, picks), film_query))
        else:
            film_q = film_query.repeat_interleave(self.rotations, 0)
            q = self.query(self.crops(x, picks), film_q)  # (n * rot, kc, k, k)
        kernels = q * self.corr_scale
        # every image's keys against its own rot kernels: one grouped convolution
        corr = F.conv2d(keys.reshape(1, n * self.key_ch, *keys.shape[2:]), kernels, padding=self.k // 2, groups=n)
        corr = corr.view(n, self.rotations, *keys.shape[2:])
        return F.interpolate(corr, scale_factor=FACTOR, mode="nearest") + phase

    def loss(self, x, words, picks, places):
        film_a, film_k, film_q = self.films(words)
        n = x.shape[0]
        pick_logits = self.attention(x, film_a).view(n, -1)
        pick_target = torch.tensor([r * self.cols + c for r, c in picks])
        place_logits = self.transport(x, picks, film_k, film_q).view(n, -1)
        place_target = torch.tensor([(rot * self.rows + r) * self.cols + c for r, c, rot in places])
        return F.cross_entropy(pick_logits, pick_target) + F.cross_entropy(place_logits, place_target)

    @torch.no_grad()
    def act(self, x, words):
        film_a, film_k, film_q = self.films(words)
        pick = int(self.attention(x, film_a).view(-1).argmax())
        pick_rc = (pick // self.cols, pick % self.cols)
        place = int(self.transport(x, [pick_rc], film_k, film_q).view(-1).argmax())
        plane = self.rows * self.cols
        return pick_rc, (place % plane // self.cols, place % self.cols, place // plane)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--channels", type=int, default=16)
    ap.add_argument("--rows", type=int, default=320)
    ap.add_argument("--cols", type=int, default=160)
    ap.add_argument("--rotations", type=int, default=36)
    ap.add_argument("--crop", type=int, default=57)
    ap.add_argument("--vocab", type=int, default=1024)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--dilated", type=int, default=0)
    ap.add_argument("--color-words", type=int, default=0)
    ap.add_argument("--rotate-features", type=int, default=0)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(0)
    in_ch = 4 + a.color_words
    m = Transporter(a.rows, a.cols, a.rotations, a.crop, a.channels, a.vocab, bool(a.dilated), in_ch, bool(a.rotate_features))
    params = sum(p.numel() for p in m.parameters())
    opt = torch.optim.Adam(m.parameters(), lr=1e-3)

    # a block on the table, as bench/policy_speed.c uses
    x = torch.zeros(1, in_ch, a.rows, a.cols)
    r0, c0 = a.rows // 3, a.cols // 2
    x[0, 0, r0:r0 + 12, c0:c0 + 12] = (220 / 255 - 0.5) * 4
    x[0, 3, r0:r0 + 12, c0:c0 + 12] = 0.04 / 0.02
    words = [[11, 42, 7, 99, 3, 42, 5, 8]]  # "put the red block in the green bowl": 8 words
    xb = x.repeat(a.batch, 1, 1, 1)
    wb = words * a.batch
    picks = [(r0 + 6, c0 + 6)] * a.batch
    places = [(a.rows // 2, a.cols // 3, 3)] * a.batch

    def train_step():
        opt.zero_grad()
        loss = m.loss(xb, wb, picks, places)
        loss.backward()
        opt.step()
        return float(loss)

    train_step()  # warm-up
    t0 = time.perf_counter()
    for _ in range(a.reps):
        loss = train_step()
    train_s = (time.perf_counter() - t0) / a.reps
    m.act(x, words)
    t0 = time.perf_counter()
    for _ in range(a.reps):
        m.act(x, words)
    act_s = (time.perf_counter() - t0) / a.reps
    print(json.dumps({
        "impl": "pytorch " + torch.__version__, "threads": torch.get_num_threads(), "rows": a.rows,
        "cols": a.cols, "rotations": a.rotations, "crop": a.crop, "channels": a.channels,
        "rotate_features": a.rotate_features,
        "parameters": params, "batch": a.batch, "train_ms_per_sample": round(train_s / a.batch * 1e3, 2),
        "train_samples_per_s": round(a.batch / train_s, 2), "act_ms": round(act_s * 1e3, 2), "loss": round(loss, 4)}))


if __name__ == "__main__":
    main()
