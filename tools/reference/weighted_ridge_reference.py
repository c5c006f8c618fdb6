"""Golden numbers for WeightedRidgeReferenceTest: the weighted ridge fit of LIME's surrogate, by NumPy.

Minimizes sum_k w_k (y_k - b - x_k.beta)^2 + lam |beta|^2 (intercept unpenalized) as one augmented least-squares
problem solved by numpy.linalg.lstsq, without the centring the Java code uses. The data are a formula the test
repeats: x[k][j] = sin(1.3 k + 0.7 j + 0.1 j^2), y[k] = x[k].(1, -2, 0.5, 0, 3) + 0.3 cos(0.9 k) + 0.5 k / K, w[k] = exp(-((k % 7) / 3)^2).
Run: python3 tools/reference/weighted_ridge_reference.py
"""
import numpy as np

K, M, LAM = 40, 5, 0.75
k = np.arange(K)[:, None]
j = np.arange(M)[None, :]
x = np.sin(1.3 * k + 0.7 * j + 0.1 * j ** 2)
y = x @ np.array([1, -2, 0.5, 0, 3]) + 0.3 * np.cos(0.9 * np.arange(K)) + 0.5 * np.arange(K) / K
w = np.exp(-((np.arange(K) % 7) / 3.0) ** 2)
design = np.hstack([np.ones((K, 1)), x]) * np.sqrt(w)[:, None]
penalty = np.hstack([np.zeros((M, 1)), np.sqrt(LAM) * np.eye(M)])
a = np.vstack([design, penalty])
b = np.concatenate([y * np.sqrt(w), np.zeros(M)])
sol = np.linalg.lstsq(a, b, rcond=None)[0]
pred = sol[0] + x @ sol[1:]
mean = np.sum(w * y) / np.sum(w)
r2 = 1 - np.sum(w * (y - pred) ** 2) / np.sum(w * (y - mean) ** 2)
print("intercept", float(sol[0]))
print("coefficients", ", ".join(str(float(v)) for v in sol[1:]))
print("r2", float(r2))
