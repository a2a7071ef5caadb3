#!/usr/bin/env bash
# Builds the StandIn extension for Chrome and Firefox. Run ./build.sh --help for the steps.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"

TARGET=wasm32-unknown-unknown
PROFILE=wasm-release
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
WEB="$TARGET_DIR/standin-web"
BINDGEN_OUT="$WEB/bindgen" # wasm-bindgen's output: the JS glue and each module, unoptimised
OPT_OUT="$WEB/opt"         # each module as wasm-opt left it: what dist/ ships
STAMPS="$WEB/stamps"       # what each step after cargo last ran on (see `fresh`)
DIST="$ROOT/dist"
BROWSERS=(chrome firefox)
# One wasm module per extension context, each built with only its own entry points (the
# crate's cargo features of the same names): standin_worker for the background worker,
# standin_pages for the popup and options page. Each context loads only its own code.
CONTEXTS=(worker pages)
# The exports each context's JS loader imports; the glue check fails the build without them.
declare -A REQUIRED_EXPORTS=(
  [worker]="default start_background handle_event"
  [pages]="default start_popup start_options"
)
# wasm-opt's passes, measured on the gzipped module (issue 12): -Os comes out smaller than -Oz
# once gzipped (−0.6 KiB on the worker), --converge repeats the passes until they gain nothing
# (−0.8 KiB), and --low-memory-unused folds small constant offsets into loads and stores
# (−1.5 KiB). The latter assumes nothing lives at addresses 0–1023: rustc puts the 1 MiB
# stack there (stack first, growing down), so only its last KiB would, at a depth that is an
# overflow in all but name.
WASM_OPT=(-Os --converge --low-memory-unused)
# Features current Rust (1.82+) enables by default for wasm32-unknown-unknown. wasm-opt must
# accept them, or it rejects the module (or, worse, an old binaryen silently breaks it).
WASM_FEATURES=(
  --enable-reference-types --enable-multivalue --enable-bulk-memory --enable-bulk-memory-opt
  --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals
  --enable-call-indirect-overlong
)

usage() {
  cat <<'EOF'
Usage: ./build.sh [STEP...]

Builds dist/chrome/ and dist/firefox/ (unpacked extensions) and dist/standin-chrome.zip,
dist/standin-firefox.zip. Does no work when nothing changed: tools already present are not
installed again, cargo rebuilds only what changed, and each later step is skipped when the
content of its inputs and outputs is what it was when the step last ran.
With no STEP, runs every step in this order:

  toolchain   rustup target add wasm32-unknown-unknown, if missing
  npm         npm ci, when node_modules is missing or older than package-lock.json
              (brings binaryen's wasm-opt, playwright-core and web-ext; downloads no browser)
  cargo       cargo build --lib --target wasm32-unknown-unknown --profile wasm-release -p standin,
              once per context: --no-default-features --features worker, then pages, each in a
              target directory of its own ($CARGO_TARGET_DIR/wasm-worker, …/wasm-pages)
  bindgen     installs wasm-bindgen-cli at exactly the version of wasm-bindgen in Cargo.lock
              when the installed one differs, then wasm-bindgen --target web for each module
              (out-names standin_worker and standin_pages)
  opt         wasm-opt -Os --converge --low-memory-unused (binaryen from npm, with the
              features current Rust emits)
  check       each optimised module validates and compiles under Node, and its glue exports
              what its loader imports: default (init) and start_background, handle_event
              (worker); start_popup, start_options (pages)
  assemble    dist/<browser>/: manifest.json from extension/manifest.mjs, the HTML/CSS/JS
              loaders, icons, and both modules (standin_<context>.js, standin_<context>_bg.wasm)
  zip         dist/standin-<browser>.zip (deterministic: sorted entries, fixed timestamps;
              without the Chrome manifest's development `key`)
  sizes       each module's size raw and gzipped, and both zip sizes, in KiB

Not run by default:

  twiggy      twiggy's top 15 items of each module, by name (installs twiggy when missing);
              run after a build. It reads a copy optimised as shipped but with its names
              (wasm-opt -g): the same code section byte for byte, plus a names section

Steps named on the command line run alone, in the order given (e.g. ./build.sh assemble zip).
Intermediate files: $CARGO_TARGET_DIR/standin-web/ (bindgen/, opt/, stamps/, named/).

Environment: CARGO_TARGET_DIR is honoured.
EOF
}

step() { printf '\n==> %s\n' "$*"; }
die() {
  printf 'build.sh: %s\n' "$*" >&2
  exit 1
}

# The digest of files and directories (every file's path and bytes; a directory whole; a
# missing path counts as missing) and of any words after `--` (tool versions).
digest() {
  {
    local path
    while (($#)) && [[ "$1" != -- ]]; do
      path="$1"
      shift
      if [[ -d "$path" ]]; then
        find "$path" -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum
      elif [[ -e "$path" ]]; then
        sha256sum "$path"
      else
        printf 'missing %s\n' "$path"
      fi
    done
    [[ "${1:-}" == -- ]] && shift
    printf '%s\n' "$@"
  } | sha256sum | cut -d' ' -f1
}

# fresh STEP KEY OUTPUT...: true (and says so) when STEP last ran on inputs whose digest is KEY
# and its outputs are still the files it left. Otherwise forgets STEP's stamp: the step runs.
fresh() {
  local stamp="$STAMPS/$1" key="$2"
  shift 2
  if [[ -f "$stamp" && "$(<"$stamp")" == "$key $(digest "$@")" ]]; then
    echo "up to date"
    return 0
  fi
  rm -f "$stamp"
  return 1
}

# done_step STEP KEY OUTPUT...: records that STEP ran on inputs KEY and left OUTPUT...
done_step() {
  local step="$1" key="$2"
  shift 2
  mkdir -p "$STAMPS"
  printf '%s %s\n' "$key" "$(digest "$@")" >"$STAMPS/$step"
}

kib() { awk -v b="$1" 'BEGIN { printf "%.1f KiB", b / 1024 }'; }

# The version field of [package] in Cargo.toml: one version for the crate and the manifest.
crate_version() {
  awk '
    /^\[/ { in_package = ($0 == "[package]") }
    in_package && /^version[[:space:]]*=/ { gsub(/.*=[[:space:]]*"|".*/, ""); print; exit }
  ' Cargo.toml
}

# The version of the wasm-bindgen crate that Cargo.lock resolved.
locked_bindgen_version() {
  awk '
    $0 == "name = \"wasm-bindgen\"" { found = 1; next }
    found && /^version = / { gsub(/version = |"/, ""); print; exit }
  ' Cargo.lock
}

step_toolchain() {
  step "toolchain: $TARGET"
  if rustup target list --installed | grep -qx "$TARGET"; then
    echo "already installed"
  else
    rustup target add "$TARGET"
  fi
}

step_npm() {
  step "npm: node_modules from package-lock.json"
  command -v npm >/dev/null || die "npm not found (Node 20+ is required)"
  if [[ -x node_modules/.bin/wasm-opt && node_modules/.package-lock.json -nt package-lock.json ]]; then
    echo "up to date"
  else
    npm ci --no-audit --no-fund
  fi
}

# The module cargo builds for a context. Each context has a target directory of its own: cargo
# keeps one fingerprint for the crate's cdylib whatever its features (the file name carries no
# hash), so in a shared directory each build found the other's features and both recompiled.
raw_wasm() { printf '%s' "$TARGET_DIR/wasm-$1/$TARGET/$PROFILE/standin.wasm"; }

step_cargo() {
  local context
  for context in "${CONTEXTS[@]}"; do
    step "cargo: standin ($context) for $TARGET, profile $PROFILE"
    cargo build --lib --target "$TARGET" --profile "$PROFILE" -p standin \
      --no-default-features --features "$context" --target-dir "$TARGET_DIR/wasm-$context"
    [[ -f "$(raw_wasm "$context")" ]] || die "cargo did not produce $(raw_wasm "$context")"
  done
}

step_bindgen() {
  local want have
  want="$(locked_bindgen_version)"
  [[ -n "$want" ]] || die "no wasm-bindgen in Cargo.lock; run the cargo step first"
  step "bindgen: wasm-bindgen-cli $want"
  have="$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)"
  if [[ "$have" == "$want" ]]; then
    echo "wasm-bindgen-cli $have already installed"
  else
    echo "installed: ${have:-none}; installing $want (several minutes)"
    # Not --locked: the registry mirror lacks one of the CLI's locked dependency versions.
    cargo install wasm-bindgen-cli --version "$want"
  fi
  local context raws=()
  for context in "${CONTEXTS[@]}"; do
    raws+=("$(raw_wasm "$context")")
    [[ -f "${raws[-1]}" ]] || die "missing ${raws[-1]}; run the cargo step first"
  done
  local key
  key="$(digest build.sh "${raws[@]}" -- "wasm-bindgen $want")"
  fresh bindgen "$key" "$BINDGEN_OUT" && return
  rm -rf "$BINDGEN_OUT"
  for context in "${CONTEXTS[@]}"; do
    wasm-bindgen "$(raw_wasm "$context")" --target web --no-typescript --out-dir "$BINDGEN_OUT" \
      --out-name "standin_$context"
  done
  done_step bindgen "$key" "$BINDGEN_OUT"
}

step_opt() {
  local version key context wasm
  version="$(node_modules/.bin/wasm-opt --version)"
  step "opt: wasm-opt ${WASM_OPT[*]} ($version)"
  for context in "${CONTEXTS[@]}"; do
    wasm="$BINDGEN_OUT/standin_${context}_bg.wasm"
    [[ -f "$wasm" ]] || die "missing $wasm; run the bindgen step first"
  done
  key="$(digest build.sh "$BINDGEN_OUT"/standin_*_bg.wasm -- "$version")"
  fresh opt "$key" "$OPT_OUT" && return
  rm -rf "$OPT_OUT"
  mkdir -p "$OPT_OUT"
  for context in "${CONTEXTS[@]}"; do
    wasm="standin_${context}_bg.wasm"
    node_modules/.bin/wasm-opt "${WASM_OPT[@]}" "${WASM_FEATURES[@]}" --strip-debug --strip-producers \
      "$BINDGEN_OUT/$wasm" -o "$OPT_OUT/$wasm"
  done
  done_step opt "$key" "$OPT_OUT"
}

step_check() {
  step "check: each optimised module loads and exports what its loader imports"
  local key context
  key="$(digest build.sh tests/wasm-check.mjs "$OPT_OUT" "$BINDGEN_OUT"/standin_*.js -- "$(node --version)")"
  fresh check "$key" && return
  for context in "${CONTEXTS[@]}"; do
    # shellcheck disable=SC2086 # the export list is meant to split into words
    node tests/wasm-check.mjs "$OPT_OUT/standin_${context}_bg.wasm" \
      "$BINDGEN_OUT/standin_$context.js" ${REQUIRED_EXPORTS[$context]}
  done
  done_step check "$key"
}

step_assemble() {
  local version browser out key outs=()
  version="$(crate_version)"
  [[ -n "$version" ]] || die "no version in Cargo.toml [package]"
  for browser in "${BROWSERS[@]}"; do outs+=("$DIST/$browser"); done
  step "assemble: ${outs[*]#"$ROOT/"} (version $version)"
  key="$(digest build.sh extension "$BINDGEN_OUT"/standin_*.js "$OPT_OUT" -- "$version")"
  fresh assemble "$key" "${outs[@]}" && return
  for browser in "${BROWSERS[@]}"; do
    out="$DIST/$browser"
    rm -rf "$out"
    mkdir -p "$out/icons"
    node extension/manifest.mjs "$browser" "$version" >"$out/manifest.json"
    # *.js are the loaders; extension/*.mjs are build-time scripts and stay out.
    cp extension/*.html extension/*.css extension/*.js "$out/"
    cp extension/icons/*.png "$out/icons/"
    cp "$BINDGEN_OUT"/standin_*.js "$OPT_OUT"/standin_*_bg.wasm "$out/"
  done
  done_step assemble "$key" "${outs[@]}"
}

step_zip() {
  local browser key zips=()
  for browser in "${BROWSERS[@]}"; do zips+=("$DIST/standin-$browser.zip"); done
  step "zip: ${zips[*]#"$ROOT/"}"
  key="$(digest build.sh "${BROWSERS[@]/#/$DIST/}")"
  fresh zip "$key" "${zips[@]}" && return
  for browser in "${BROWSERS[@]}"; do
    python3 - "$DIST/$browser" "$DIST/standin-$browser.zip" <<'PY'
import json, os, sys, zipfile
src, dest = sys.argv[1], sys.argv[2]
paths = []
for directory, _, files in os.walk(src):
    paths += [os.path.join(directory, f) for f in files]
tmp = dest + ".tmp"
with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
    for path in sorted(paths):
        # Fixed timestamp and mode: the same inputs give the same bytes.
        info = zipfile.ZipInfo(os.path.relpath(path, src), date_time=(1980, 1, 1, 0, 0, 0))
        info.external_attr = 0o644 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        with open(path, "rb") as f:
            data = f.read()
        if info.filename == "manifest.json":
            # The development key stays out of the package: a store gives it its own id.
            manifest = json.loads(data)
            manifest.pop("key", None)
            data = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode()
        zf.writestr(info, data, compresslevel=9)
os.replace(tmp, dest)
print(f"{os.path.basename(dest)}: {len(paths)} files")
PY
  done
  done_step zip "$key" "${zips[@]}"
}

step_sizes() {
  step "sizes"
  local context wasm raw gz total=0 browser
  for context in "${CONTEXTS[@]}"; do
    wasm="$DIST/chrome/standin_${context}_bg.wasm"
    raw=$(wc -c <"$wasm")
    gz=$(gzip -9 -c "$wasm" | wc -c)
    total=$((total + gz))
    printf '  %-40s %s\n' "wasm $context (${wasm##*/}) raw:" "$(kib "$raw")"
    printf '  %-40s %s   (budget 200 KiB)\n' "wasm $context gzip -9:" "$(kib "$gz")"
  done
  printf '  %-40s %s\n' "wasm, both modules, gzip -9:" "$(kib "$total")"
  for browser in "${BROWSERS[@]}"; do
    printf '  %-40s %s   (budget 450 KiB)\n' "dist/standin-$browser.zip:" \
      "$(kib "$(wc -c <"$DIST/standin-$browser.zip")")"
  done
}

step_twiggy() {
  step "twiggy: the top 15 items of each module"
  if ! command -v twiggy >/dev/null; then
    echo "installing twiggy (a few minutes)"
    cargo install twiggy --locked
  fi
  local context wasm named="$WEB/named"
  mkdir -p "$named"
  for context in "${CONTEXTS[@]}"; do
    wasm="standin_${context}_bg.wasm"
    [[ -f "$BINDGEN_OUT/$wasm" ]] || die "missing $BINDGEN_OUT/$wasm; build first (./build.sh)"
    # As the opt step, but -g keeps the names section; the code comes out the same.
    node_modules/.bin/wasm-opt "${WASM_OPT[@]}" -g "${WASM_FEATURES[@]}" "$BINDGEN_OUT/$wasm" -o "$named/$wasm"
    printf '\nstandin_%s (%s shipped; %% and total of the copy with names, whose names section\n' \
      "$context" "$(kib "$(wc -c <"$OPT_OUT/$wasm")")"
    echo "is left out of the list):"
    twiggy top -n 16 "$named/$wasm" | grep -v '"function names" subsection'
  done
}

ALL_STEPS=(toolchain npm cargo bindgen opt check assemble zip sizes)
EXTRA_STEPS=(twiggy)

main() {
  local steps=("$@") s
  if [[ ${#steps[@]} -eq 0 ]]; then
    steps=("${ALL_STEPS[@]}")
  fi
  for s in "${steps[@]}"; do
    case "$s" in
      -h | --help | help)
        usage
        exit 0
        ;;
    esac
    [[ " ${ALL_STEPS[*]} ${EXTRA_STEPS[*]} " == *" $s "* ]] || die "unknown step '$s' (see ./build.sh --help)"
  done
  for s in "${steps[@]}"; do
    "step_$s"
  done
}

main "$@"
