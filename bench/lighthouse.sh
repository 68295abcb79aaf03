#!/usr/bin/env bash
# Lighthouse scores of the public pages: performance, accessibility, best practices and SEO.
#
# Serves the site with gunicorn on a free loopback port and runs Lighthouse (desktop preset,
# Debian's headless Chromium) on the showcase's pages and the privacy policy, in both languages.
# Prints the four scores x100 per page; the target is 100 in each. For every score below it,
# lists the audits that fail in that category (score < 1, not null) with what they name.
#
# Run from the project root:  bash bench/lighthouse.sh
# The first run installs Lighthouse into bench/node_modules (git-ignored) from the npm registry.
# Lighthouse 12: 13 needs Node >= 22.19. VENV: the virtualenv (default .venv, made by
# `make install`). LIGHTHOUSE_OUT=DIR keeps the JSON reports there (default: a temporary directory).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${VENV:-.venv}/bin"
PAGES=()
for path in / /product /sectors/healthcare /sectors/food-industry /sectors/cleaning-companies \
    /sectors/hospitality /sectors/public-buildings /about /privacy; do
    PAGES+=("/fr$path" "/en$path")
done

if [[ ! -x bench/node_modules/.bin/lighthouse ]]; then
    npm install --prefix bench --no-save --no-audit --no-fund lighthouse@12
fi

tmp="$(mktemp -d -t koki-lighthouse-XXXXXX)"
server=""
cleanup() {
    if [[ -n "$server" ]] && kill -TERM "$server" 2>/dev/null; then
        for _ in $(seq 50); do kill -0 "$server" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$server" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
out="${LIGHTHOUSE_OUT:-$tmp}"
mkdir -p "$out"

export FLASK_SECRET_KEY="$("$BIN/python" -c 'import secrets; print(secrets.token_hex(32))')"
export FLASK_SQLALCHEMY_DATABASE_URI="sqlite:///$tmp/bench.db"
export FLASK_SESSION_COOKIE_SECURE=false
"$BIN/pybabel" -q compile -d translations
"$BIN/flask" --app app db upgrade 2>"$tmp/upgrade.log" || { cat "$tmp/upgrade.log" >&2; exit 1; }

port="$("$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
"$BIN/gunicorn" -w 2 -k sync -b "127.0.0.1:$port" --no-control-socket --graceful-timeout 5 app:app \
    >"$tmp/gunicorn.log" 2>&1 &
server=$!
for _ in $(seq 150); do  # up to 30 s
    curl -fs --noproxy '*' -o /dev/null "$base/healthz" && break
    kill -0 "$server" 2>/dev/null || { cat "$tmp/gunicorn.log" >&2; exit 1; }
    sleep 0.2
done
curl -fs --noproxy '*' -o /dev/null "$base/healthz" || { echo "site not ready" >&2; exit 1; }

export CHROME_PATH=/usr/bin/chromium
flags="--headless=new --no-sandbox --disable-gpu --no-first-run --disable-background-networking"
flags+=" --disable-component-update --disable-sync"
runs=()
for page in "${PAGES[@]}"; do
    report="$out/$(echo "$page" | tr / _).json"
    for attempt in 1 2 3; do  # Lighthouse's own advice on a failed trace (NO_NAVSTART): run again
        TMPDIR="$tmp" timeout 180 bench/node_modules/.bin/lighthouse "$base$page" --quiet \
            --output=json --output-path="$report" --preset=desktop \
            --only-categories=performance,accessibility,best-practices,seo --chrome-flags="$flags" && break
        rm -f "$report"
        echo "lighthouse $page: attempt $attempt failed" >&2
    done
    runs+=("$page" "$report")
done

"$BIN/python" - "${runs[@]}" <<'EOF'
import json
import os
import sys

CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
args = sys.argv[1:]
pairs = zip(args[::2], args[1::2])
runs = {page: json.load(open(path)) if os.path.exists(path) else None for page, path in pairs}
print(f"\n{'page':<32}" + "".join(f"{c:>16}" for c in CATEGORIES))
for page, lhr in runs.items():
    if lhr is None:
        print(f"{page:<32}{'no report: Lighthouse failed 3 times':>64}")
        continue
    scores = [lhr["categories"][c]["score"] for c in CATEGORIES]
    print(f"{page:<32}" + "".join(f"{'n/a' if s is None else round(s * 100):>16}" for s in scores))
below = sum(lhr is None for lhr in runs.values())
for page, lhr in runs.items():
    for c in CATEGORIES if lhr else ():
        category = lhr["categories"][c]
        if category["score"] is not None and round(category["score"] * 100) == 100:
            continue
        below += 1
        print(f"\n{page} {c}: {category['score'] and round(category['score'] * 100)} (target 100)")
        for ref in category["auditRefs"]:
            audit = lhr["audits"][ref["id"]]
            if audit["score"] is None or audit["score"] >= 1:
                continue
            shown = f" ({audit['displayValue']})" if audit.get("displayValue") else ""
            print(f"  {audit['id']}: {audit['title']} score={audit['score']}{shown} weight={ref['weight']}")
            for item in (audit.get("details") or {}).get("items", [])[:8]:
                node = item.get("node") or {}
                what = node.get("selector") or item.get("url") or item.get("source") or ""
                why = " ".join(node.get("explanation", "").split())
                print(f"      {what} {node.get('snippet', '')} {why}".rstrip())
print("\nAll pages at 100 in every category." if not below else f"\n{below} score(s) below 100 or missing.")
EOF
