"""Reads a run directory's TensorBoard event files with TensorBoard's own loader, as a cross-check of
gradus.io.TensorBoardWriter: prints every scalar tag with its (step, value) series and verifies each
record's CRCs through TensorBoard's record reader.
Needs the tensorboard package (e.g. python3 -m venv /tmp/refenv && /tmp/refenv/bin/pip install tensorboard).
Run: python tools/golden/read_tfevents.py RUN_DIR"""
import sys
from tensorboard.backend.event_processing import event_accumulator
from tensorboard.backend.event_processing.event_file_loader import RawEventFileLoader
from tensorboard.compat.proto import event_pb2
import glob, os

run = sys.argv[1]
for path in sorted(glob.glob(os.path.join(run, "*tfevents*"))):
    records = list(RawEventFileLoader(path, detect_file_replacement=False).Load())
    first = event_pb2.Event.FromString(records[0])
    print(os.path.basename(path), len(records), "records; first:", first.file_version, first.wall_time)
acc = event_accumulator.EventAccumulator(run, size_guidance={event_accumulator.SCALARS: 0})
acc.Reload()
for tag in acc.Tags()["scalars"]:
    print(tag, [(e.step, round(e.value, 4)) for e in acc.Scalars(tag)])
