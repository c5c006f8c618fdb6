"""Golden data for LstmClassifierTest: a PyTorch Embedding -> LSTM -> Linear classifier on long,
variable-length, right-padded rows, enough of them to split over threads (packed sequences; logits from the hidden state at each row's last
real token). Writes weights, inputs, loss and gradients to
core/src/test/resources/golden/lstm_classifier.safetensors.

    /usr/bin/python3 tools/golden/lstm_classifier_golden.py
"""
import json, os, struct
import torch


def save(tensors, path):
    """A minimal safetensors writer (F32 only): 8-byte header length, JSON header, raw little-endian data."""
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.contiguous().float().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))

torch.manual_seed(0)
torch.set_num_threads(2)
V, E, H, B, T = 50, 8, 16, 40, 200


class Classifier(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = torch.nn.Embedding(V, E, padding_idx=0)
        self.lstm = torch.nn.LSTM(E, H, batch_first=True)
        self.head = torch.nn.Linear(H, 2)

    def forward(self, x, lengths):
        packed = torch.nn.utils.rnn.pack_padded_sequence(self.embedding(x), lengths, batch_first=True, enforce_sorted=False)
        _, (h, _) = self.lstm(packed)
        return self.head(h[-1])


model = Classifier()
lengths = torch.cat([torch.tensor([200, 1, 57, 133, 199, 12]), torch.randint(1, T + 1, (B - 6,))])
x = torch.zeros(B, T, dtype=torch.long)
for i, n in enumerate(lengths):
    x[i, :n] = torch.randint(1, V, (int(n),))
y = torch.randint(0, 2, (B,))
loss = torch.nn.functional.cross_entropy(model(x, lengths), y)
loss.backward()
out = {name: p.detach().clone() for name, p in model.named_parameters()}
out.update({"grad." + name: p.grad.clone() for name, p in model.named_parameters()})
out["input.ids"] = x.float()
out["input.labels"] = y.float()
out["loss"] = loss.detach().reshape(1)
path = os.path.join(os.path.dirname(__file__), "../../core/src/test/resources/golden/lstm_classifier.safetensors")
save(out, path)
print("loss", loss.item())
