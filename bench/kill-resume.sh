#!/usr/bin/env bash
# Kill test (issue 13): a checkpointing training run killed at random moments (kill -9) and halted inside
# every window of a save (after each file's temporary is written, after the manifest commits, after each
# rename), then resumed. Every checkpoint directory must be a complete checkpoint of the epoch before or of
# the epoch being saved, and the resumed run must end with the uninterrupted run's files bit for bit
# (model/ and best/: weights, optimizer state, training state, config) and its metrics.jsonl history.
#   bench/kill-resume.sh            KILLS=20 random kills + 9 save windows; exit 1 on any failure
# Uses the CLI jar, built by the launcher when missing or older than the sources. Env: KILLS (20), SEED (13), JAVA_HOME.
# A random kill that comes after the run ended is not counted (at most 2×KILLS tries).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
KILLS="${KILLS:-20}"
RANDOM="${SEED:-13}" # bash's generator, seeded: the same kill points each run (the kill moments still vary with timing)
RECIPE=bench/kill-resume/moons-checkpointed.yaml
EPOCHS=$(sed -n 's/^  epochs: \([0-9]*\)/\1/p' "$RECIPE")
source ./gradus # the launcher's functions: the same JDK (>= 21) it would pick
JAVA_HOME="$(find_jdk)"
export JAVA_HOME
JAVA="$JAVA_HOME/bin/java"
JAR=cli/target/gradus-cli.jar
CP="$JAR:cli/target/lib/*"
./gradus --version >/dev/null # builds the jar on first use or when sources changed, as the launcher does

# tmpfs when there is one: a kill -9 is a process crash, not a power loss, so fsync speed is beside the point
BASE=/dev/shm; [[ -d "$BASE" && -w "$BASE" ]] || BASE="${TMPDIR:-/tmp}"
WORK="$(mktemp -d "$BASE/gradus-kill-resume.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

"$JAVA_HOME/bin/javac" -nowarn -cp "$CP" -d "$WORK/check" bench/kill-resume/KillResumeCheck.java
check() { "$JAVA" -cp "$WORK/check:$CP" KillResumeCheck "$@"; }
train() { # train OUT [JVM options…] -- [train options…], in the background; sets PID
  local out="$1"; shift
  local opts=(); while [[ "$1" != "--" ]]; do opts+=("$1"); shift; done; shift
  "$JAVA" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC "${opts[@]}" \
    -Dgradus.home="$ROOT" -cp "$CP" gradus.cli.Main train "$RECIPE" --out "$out" --no-progress "$@" >"$out.log" 2>&1 &
  PID=$!
}
now_ms() { date +%s%3N; }
# epoch lines of a run's metrics.jsonl: whole lines (a line cut by the kill does not count) without "step",
# which marks the trainer's per-step records
logged_epochs() {
  local f="$1/metrics.jsonl"
  [[ -f "$f" ]] || { echo 0; return; }
  { if [[ -z "$(tail -c1 "$f")" ]]; then cat "$f"; else sed '$d' "$f"; fi; } | grep -vc '"step":' || true
}
# waits until the run logged $2 epochs (or it ended)
wait_epochs() { while [[ $(logged_epochs "$1") -lt $2 ]] && kill -0 "$PID" 2>/dev/null; do sleep 0.01; done; }

start=$(now_ms)
REF="$WORK/reference"
mkdir -p "$REF"; rm -rf "$REF"
train "$REF" --; wait_epochs "$REF" 1; first=$(now_ms)
wait "$PID" || { echo "kill-resume: the uninterrupted run failed:"; cat "$REF.log"; exit 1; }
EPOCH_MS=$(( ($(now_ms) - first) / (EPOCHS - 1) )) # an epoch with its saves, about
echo "kill-resume: uninterrupted run of $EPOCHS epochs: $(( ($(now_ms) - start) / 1000 )) s, about $EPOCH_MS ms an epoch with its checkpoints"

declare -A SHA_OF_EPOCH=() # epoch -> weights hash seen in model/ of any run: each epoch has one checkpoint
failures=0 trials=0 killed=0
fail() { echo "FAIL trial $trials ($1): $2"; failures=$((failures + 1)); }

trial() { # trial LABEL [JVM options…]
  local label="$1"; shift
  trials=$((trials + 1))
  local out="$WORK/run$trials" code=0
  mkdir -p "$out"; rm -rf "$out"
  if [[ $# -gt 0 ]]; then
    train "$out" "$@" --; wait "$PID" || code=$?
    [[ $code == 86 ]] || { fail "$label" "expected the save hook to halt the JVM (exit 86), got exit $code: $(tail -3 "$out.log")"; return; }
  else
    # a random epoch, then a random moment in it (in training, validation, or one of its two saves)
    train "$out" --; wait_epochs "$out" $(( 1 + RANDOM % (EPOCHS - 4) ))
    local delay=$(( RANDOM % (EPOCH_MS + 1) ))
    sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
    kill -9 "$PID" 2>/dev/null || true
    { wait "$PID"; } 2>/dev/null || code=$? # (no "Killed" line from bash)
    if [[ $code == 137 ]]; then killed=$((killed + 1)); else label="$label, ended before the kill (not counted)"; fi
  fi
  local lines; lines=$(logged_epochs "$out")
  local states model best
  states=$(check state "$out/model" "$out/best") || { fail "$label" "not a complete checkpoint: $states"; return; }
  model=$(sed -n 1p <<<"$states"); best=$(sed -n 2p <<<"$states")
  local resume=()
  if [[ "$model" != none ]]; then
    local epoch="${model%% *}" sha="${model#* }"
    # epoch k's metrics line is written before its checkpoint: model/ holds epoch k-1 (save not committed) or k
    if [[ $epoch -ne $lines && $epoch -ne $((lines - 1)) ]]; then fail "$label" "model/ holds epoch $epoch after $lines logged epochs"; return; fi
    if [[ -n "${SHA_OF_EPOCH[$epoch]:-}" && "${SHA_OF_EPOCH[$epoch]}" != "$sha" ]]; then fail "$label" "model/ of epoch $epoch differs from another run's epoch $epoch"; return; fi
    SHA_OF_EPOCH[$epoch]="$sha"
    resume=(--resume "$out/model")
  fi
  code=0; train "$out" -- "${resume[@]}"; wait "$PID" || code=$?
  [[ $code == 0 ]] || { fail "$label" "the resumed run failed (exit $code): $(tail -3 "$out.log")"; return; }
  local same; same=$(check same "$REF" "$out") || { fail "$label" "resumed from ${model%% *}: $same"; return; }
  local left; left=$(find "$out/model" -name '*.tmp' | wc -l)
  [[ $left == 0 ]] || { fail "$label" "$left temporary files left in model/ after the resumed run"; return; }
  printf 'ok   trial %2d  %-44s killed at model/ epoch %-5s best/ epoch %-5s → resumed, identical\n' "$trials" "$label" "${model%% *}" "${best%% *}"
}

# Every window of a save, each at a different (random) save of the run: model/ and best/ saves both count.
for file in model.safetensors config.json optimizer.safetensors training_state.json; do
  n=$(( 2 + RANDOM % (EPOCHS - 2) )); trial "halt after $file.tmp written, save $n" -Dgradus.test.crashAt="$file.tmp@$n"
done
n=$(( 2 + RANDOM % (EPOCHS - 2) )); trial "halt after manifest.json committed, save $n" -Dgradus.test.crashAt="manifest.json@$n"
for file in model.safetensors config.json optimizer.safetensors training_state.json; do
  n=$(( 2 + RANDOM % (EPOCHS - 2) )); trial "halt after $file renamed, save $n" -Dgradus.test.crashAt="$file@$n"
done
for ((k = 1; killed < KILLS && k <= 2 * KILLS; k++)); do trial "kill -9 at a random moment"; done

echo "kill-resume: $trials trials ($killed random kill -9s, 9 save windows), $failures failed, $(( ($(now_ms) - start) / 1000 )) s"
[[ $failures == 0 && $killed -ge $KILLS ]]
