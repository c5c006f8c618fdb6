"""Reference numbers for gradus.explain, computed with PyTorch autograd (Captum's formulas, written out).

Run with Debian's python3-torch:  /usr/bin/python3 tools/reference/explain_reference.py
It prints the values recorded in core/src/test/java/gradus/explain/ReferenceTest.java. Weights and inputs come
from closed formulas, so the Java test builds the same models without exchanging files.
"""
import math
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)  # the reference in double; Java computes in float32


def formula(shape, a, b, c, fn=math.sin):
    n = int(np.prod(shape))
    return torch.tensor([a * fn(b + c * i) for i in range(n)]).reshape(shape)


def mlp():
    m = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 3))
    with torch.no_grad():
        m[0].weight.copy_(formula((6, 4), 0.5, 1.0, 0.7))
        m[0].bias.copy_(formula((6,), 0.1, 0.0, 1.0, math.cos))
        m[2].weight.copy_(formula((3, 6), 0.5, 0.3, 0.9, math.cos))
        m[2].bias.copy_(formula((3,), 0.05, 0.2, 1.3))
    return m


def cnn():
    m = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Conv2d(2, 3, 3), nn.ReLU(), nn.Flatten(), nn.Linear(48, 3))
    with torch.no_grad():
        m[0].weight.copy_(formula((2, 1, 3, 3), 0.6, 0.1, 0.37))
        m[0].bias.copy_(formula((2,), 0.1, 0.5, 1.0, math.cos))
        m[2].weight.copy_(formula((3, 2, 3, 3), 0.4, 0.2, 0.53, math.cos))
        m[2].bias.copy_(formula((3,), 0.05, 0.1, 0.7))
        m[5].weight.copy_(formula((3, 48), 0.3, 0.4, 0.29))
        m[5].bias.copy_(formula((3,), 0.02, 0.0, 1.1, math.cos))
    return m


def image():
    x = torch.zeros(1, 1, 8, 8)
    for h in range(8):
        for w in range(8):
            x[0, 0, h, w] = 0.5 + 0.5 * math.sin(0.3 * h + 0.7 * w)
    return x


def grad(model, x, target):
    x = x.clone().requires_grad_(True)
    model(x)[:, target].sum().backward()
    return x.grad


def nodes(rule, n):
    if rule == "gausslegendre":
        a, w = np.polynomial.legendre.leggauss(n)
        return list(0.5 * (a + 1)), list(0.5 * w)
    if rule == "left":
        return [k / n for k in range(n)], [1 / n] * n
    if rule == "right":
        return [(k + 1) / n for k in range(n)], [1 / n] * n
    if rule == "middle":
        return [(k + 0.5) / n for k in range(n)], [1 / n] * n
    if rule == "trapezoid":  # the true trapezoid rule (Captum's halves the end steps of 1/n instead)
        return [k / (n - 1) for k in range(n)], [(0.5 if k in (0, n - 1) else 1.0) / (n - 1) for k in range(n)]


def ig(model, x, baseline, target, rule, n):
    alphas, weights = nodes(rule, n)
    path = torch.cat([baseline + a * (x - baseline) for a in alphas])
    g = grad(model, path, target)
    w = torch.tensor(weights).reshape(-1, *[1] * (x.dim() - 1))
    return (g * w).sum(0, keepdim=True) * (x - baseline)


def gradcam(model, x, layer, target):
    head, tail = model[:layer + 1], model[layer + 1:]
    a = head(x).detach().requires_grad_(True)
    tail(a)[:, target].sum().backward()
    alpha = a.grad.mean(dim=(2, 3), keepdim=True)
    return F.relu((alpha * a).sum(1, keepdim=True))


def occlusion(model, x, target, window, stride, baseline):
    fx = model(x)[0, target]
    total = torch.zeros_like(x)
    count = torch.zeros_like(x)
    _, _, hh, ww = x.shape
    for i in range(math.ceil((hh - window) / stride) + 1):
        for j in range(math.ceil((ww - window) / stride) + 1):
            xo = x.clone()
            xo[:, :, i * stride:i * stride + window, j * stride:j * stride + window] = baseline
            total[:, :, i * stride:i * stride + window, j * stride:j * stride + window] += fx - model(xo)[0, target]
            count[:, :, i * stride:i * stride + window, j * stride:j * stride + window] += 1
    return total / count


def loss_grad(model, x, label):
    x = x.clone().requires_grad_(True)
    F.cross_entropy(model(x), torch.tensor([label])).backward()
    return x.grad


def fgsm(model, x, label, eps):
    return (x + eps * loss_grad(model, x, label).sign()).clamp(0, 1)


def pgd_linf(model, x, label, eps, alpha, steps, start):
    adv = (x + start).clamp(0, 1)
    for _ in range(steps):
        adv = adv + alpha * loss_grad(model, adv, label).sign()
        adv = torch.min(torch.max(adv, x - eps), x + eps).clamp(0, 1)
    return adv


def pgd_l2(model, x, label, eps, alpha, steps, start):
    adv = (x + start).clamp(0, 1)
    for _ in range(steps):
        g = loss_grad(model, adv, label)
        adv = adv + alpha * g / g.flatten(1).norm(dim=1).clamp_min(1e-12).reshape(-1, 1, 1, 1)
        d = adv - x
        norm = d.flatten(1).norm(dim=1).reshape(-1, 1, 1, 1)
        adv = (x + d * torch.clamp(eps / norm.clamp_min(1e-12), max=1.0)).clamp(0, 1)
    return adv


def show(name, t):
    vals = ", ".join("%.9gf" % v for v in t.detach().flatten().tolist())
    print("    static final float[] %s = {%s};" % (name, vals))


def main():
    m = mlp()
    x = torch.tensor([[0.8, -0.4, 0.3, 1.2]])
    base = torch.full((1, 4), 0.1)
    show("MLP_OUT", m(x))
    show("MLP_SALIENCY", grad(m, x, 2).abs())
    show("MLP_GRAD_X_INPUT", grad(m, x, 2) * x)
    for rule in ["gausslegendre", "left", "right", "middle", "trapezoid"]:
        show("MLP_IG_" + rule.upper(), ig(m, x, base, 2, rule, 16))
    c = cnn()
    img = image()
    show("CNN_OUT", c(img))
    show("CNN_SALIENCY", grad(c, img, 1).abs())
    show("CNN_IG_GAUSSLEGENDRE", ig(c, img, torch.zeros_like(img), 1, "gausslegendre", 32))
    show("CNN_GRADCAM", gradcam(c, img, 3, 1))
    show("CNN_OCCLUSION", occlusion(c, img, 1, 3, 2, 0.0))
    show("CNN_FGSM", fgsm(c, img, 0, 0.1))
    start = formula((1, 1, 8, 8), 0.05, 0.3, 1.7)
    show("CNN_PGD_LINF", pgd_linf(c, img, 0, 0.1, 0.025, 5, start))
    start2 = formula((1, 1, 8, 8), 1.0, 0.9, 2.3)
    start2 = start2 * 0.25 / start2.norm()
    show("CNN_PGD_L2", pgd_l2(c, img, 0, 0.5, 0.1, 5, start2))


if __name__ == "__main__":
    main()
