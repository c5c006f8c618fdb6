"""Golden numbers for the gradus.optim tests, recorded with PyTorch 1.13.

Regenerate with:
    /usr/bin/python3 tools/golden/optim_golden.py > core/src/test/java/gradus/optim/OptimGolden.java
"""
import warnings

import torch

torch.set_num_threads(2)
warnings.filterwarnings("ignore")  # SequentialLR's deprecated step(epoch) call

# The tiny problem every optimizer test runs: loss = sum((x @ w + b - y)^2).
X = [[0.5, -1.0], [1.5, 0.25], [-0.75, 2.0], [1.0, 1.0]]
Y = [[1.0, 0.0, -1.0], [0.5, 2.0, 0.0], [-1.0, 1.0, 0.5], [2.0, -0.5, 1.0]]
W0 = [[0.1, -0.2, 0.3], [0.4, 0.0, -0.5]]
B0 = [0.05, -0.1, 0.2]
STEPS = 5


def floats(values):
    return "{" + ", ".join(repr(float(v)) + "f" for v in values) + "}"


def doubles(values):
    return "{" + ", ".join(repr(float(v)) for v in values) + "}"


def problem():
    return torch.tensor(W0, requires_grad=True), torch.tensor(B0, requires_grad=True)


def loss(w, b):
    return ((torch.tensor(X) @ w + b - torch.tensor(Y)) ** 2).sum()


def trajectory(make_optimizer, make_scheduler=None):
    """w (6 values) then b (3 values) after each step."""
    w, b = problem()
    opt = make_optimizer(w, b)
    sched = make_scheduler(opt) if make_scheduler else None
    rows = []
    for _ in range(STEPS):
        opt.zero_grad()
        loss(w, b).backward()
        opt.step()
        if sched:
            sched.step()
        rows.append(w.detach().flatten().tolist() + b.detach().tolist())
    return rows


optim = torch.optim
S = optim.lr_scheduler
TRAJECTORIES = {
    "SGD": lambda w, b: optim.SGD([w, b], lr=0.01),
    "SGD_MOMENTUM": lambda w, b: optim.SGD([w, b], lr=0.01, momentum=0.9, dampening=0.1, weight_decay=0.01),
    "SGD_NESTEROV": lambda w, b: optim.SGD([w, b], lr=0.01, momentum=0.9, nesterov=True, weight_decay=0.05),
    "ADAM": lambda w, b: optim.Adam([w, b], lr=0.1),
    "ADAM_BETAS_EPS": lambda w, b: optim.Adam([w, b], lr=0.1, betas=(0.8, 0.95), eps=0.1),
    "ADAM_WEIGHT_DECAY_AMSGRAD": lambda w, b: optim.Adam([w, b], lr=0.1, weight_decay=0.1, amsgrad=True),
    "ADAMW": lambda w, b: optim.AdamW([w, b], lr=0.1, weight_decay=0.1),
    "ADAMW_AMSGRAD": lambda w, b: optim.AdamW([w, b], lr=0.05, betas=(0.5, 0.9), weight_decay=0.5, amsgrad=True),
    "RMSPROP": lambda w, b: optim.RMSprop([w, b], lr=0.01),
    "RMSPROP_CENTERED_MOMENTUM": lambda w, b: optim.RMSprop([w, b], lr=0.01, alpha=0.9, weight_decay=0.01,
                                                             momentum=0.9, centered=True),
    "ADAM_GROUPS": lambda w, b: optim.Adam([{"params": [w]}, {"params": [b], "lr": 0.01, "weight_decay": 0.1}],
                                           lr=0.1),
}

out = []
p = out.append
p("package gradus.optim;")
p("")
p("/** Numbers recorded with PyTorch 1.13 by tools/golden/optim_golden.py (do not edit by hand). */")
p("final class OptimGolden {")
p("    private OptimGolden() {}")
p("")
p(f"    static final float[][] X = {{{', '.join(floats(r) for r in X)}}};")
p(f"    static final float[][] Y = {{{', '.join(floats(r) for r in Y)}}};")
p(f"    static final float[][] W0 = {{{', '.join(floats(r) for r in W0)}}};")
p(f"    static final float[] B0 = {floats(B0)};")
p("")
p("    // w (6 values) then b (3 values) after each of 5 steps on loss = sum((x @ w + b - y)^2).")


def emit_rows(name, rows):
    p(f"    static final float[][] {name} = {{")
    for r in rows:
        p(f"            {floats(r)},")
    p("    };")


for name, make in TRAJECTORIES.items():
    emit_rows(name, trajectory(make))
emit_rows("ADAM_STEP_LR", trajectory(lambda w, b: optim.Adam([w, b], lr=0.1),
                                     lambda o: S.StepLR(o, step_size=2, gamma=0.5)))

p("")
p("    // clip_grad_norm_ on the gradients of the first step: total norm, then w and b gradients after clipping.")
for name, max_norm in (("CLIP_1", 1.0), ("CLIP_1000", 1000.0)):
    w, b = problem()
    loss(w, b).backward()
    total = torch.nn.utils.clip_grad_norm_([w, b], max_norm)
    p(f"    static final double {name}_TOTAL = {total.item()!r};")
    p(f"    static final float[] {name}_GRADS = {floats(w.grad.flatten().tolist() + b.grad.tolist())};")


def lrs(make_scheduler, n, base=0.1):
    """The learning rate each of n optimizer steps uses."""
    q = torch.zeros(1, requires_grad=True)
    opt = optim.SGD([q], lr=base)
    sched = make_scheduler(opt)
    values = []
    for _ in range(n):
        values.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return values


p("")
p("    // Learning rate used by steps 0..n-1 with base lr 0.1.")
p(f"    static final double[] STEP_LR = {doubles(lrs(lambda o: S.StepLR(o, step_size=3, gamma=0.5), 10))};")
p(f"    static final double[] EXPONENTIAL_LR = {doubles(lrs(lambda o: S.ExponentialLR(o, gamma=0.9), 8))};")
p(f"    static final double[] COSINE_LR = "
  f"{doubles(lrs(lambda o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.001), 11))};")
p(f"    static final double[] LINEAR_LR = "
  f"{doubles(lrs(lambda o: S.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=4), 7))};")
W = 3  # warm-up steps: lr/3, 2lr/3, lr, then cosine over 7 steps down to 0.001
p(f"    static final double[] WARMUP_COSINE_LR = {doubles(lrs(lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=1 / W, end_factor=1.0, total_iters=W - 1), S.CosineAnnealingLR(o, T_max=7, eta_min=0.001)], milestones=[W]), 11))};")
p("}")
print("\n".join(out))
