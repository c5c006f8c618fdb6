"""What the golden scripts share: the seq() inputs the Java tests rebuild without files, and the lines of
float constants they print into a Java class."""
import math
import torch

torch.set_num_threads(2)
out = []


def seq(a, b, c, *shape):
    """Value i = sin(i*a + b) * c in double precision, rounded to float32."""
    n = math.prod(shape)
    return torch.tensor([math.sin(i * a + b) * c for i in range(n)], dtype=torch.float32).reshape(shape)


def values(t):
    return ", ".join(f"{v:.9g}f" for v in t.detach().reshape(-1).tolist())


def emit(name, t):
    out.append(f"    static final float[] {name} = {{{values(t)}}};")
