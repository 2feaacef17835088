#!/usr/bin/env bash
# tests/browser/10-form.sh — a source's visit in a real browser: Debian's
# Chromium, headless, JavaScript off (Tor Browser at "Safest"), driven by
# playwright-core from npm (tests/browser/form.test.mjs). The form is
# posted for real; then the spool is decrypted and compared with what was
# uploaded.
#
#   BUILD=build bash tests/browser/10-form.sh
#
# Environment: BUILD (default build), BROWSER_SHOTS=DIR (copy the
# screenshots there), CHROMIUM (default /usr/bin/chromium), TEMPLATES (the
# templates directory to serve, default templates/).
#
# It installs what it needs if missing: Debian's chromium (and nodejs, npm)
# with apt-get when run as root, and playwright-core into
# tests/browser/node_modules with npm (from package-lock.json; no browser
# is ever downloaded).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib.sh

HERE=tests/browser
POSTERND=$BUILD/posternd
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
TEMPLATES=${TEMPLATES:-$PWD/templates}
T0=$(date +%s)
PID=""

# posternd stops with the script, however it ends; then lib.sh's cleanup.
stop_server() {
	if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
		kill -TERM "$PID" 2>/dev/null
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$PID" 2>/dev/null || break
			sleep 0.2
		done
		kill -KILL "$PID" 2>/dev/null
		wait "$PID" 2>/dev/null
	fi
	PID=""
}
trap 'stop_server; rm -rf "$T_TMP"' EXIT

# --- Dependencies ------------------------------------------------------
apt_install() {
	if [ "$(id -u)" -ne 0 ]; then
		t_fail "dependencies" "Debian packages $* (deploy/deps.sh test, as root)" "missing"
		t_end
	fi
	echo "# installing $* with apt-get" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null &&
	    apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
missing=""
[ -x "$CHROMIUM" ] || missing="$missing chromium"
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
# shellcheck disable=SC2086
[ -z "$missing" ] || apt_install $missing
t_need node npm curl
[ -x "$CHROMIUM" ] || { t_fail "chromium" "an executable $CHROMIUM" "missing"; t_end; }
[ -x "$POSTERND" ] || { t_fail "posternd" "an executable $POSTERND (run make)" "missing"; t_end; }
t_need_bin

if [ ! -f "$HERE/node_modules/playwright-core/package.json" ]; then
	echo "# installing playwright-core into $HERE/node_modules" >&2
	# npm ci installs exactly the lock file; playwright-core downloads no
	# browser. A second try with npm install covers an old npm.
	(cd "$HERE" && { npm ci --no-audit --no-fund --loglevel=error ||
	    npm install --no-audit --no-fund --loglevel=error; }) >&2
fi
if [ -f "$HERE/node_modules/playwright-core/package.json" ]; then
	t_ok "playwright-core installed ($(node -p "require('./$HERE/node_modules/playwright-core/package.json').version"))"
else
	t_fail "playwright-core" "installed in $HERE/node_modules" "npm failed"
	t_end
fi

# --- posternd on a free loopback port ------------------------------------
D=$T_TMP/run
STATE=$D/state
OUT=$D/out
mkdir -p "$STATE" "$OUT" "$D/files"
"$BIN" keygen --unprotected -o "$D/identity.txt" 2>/dev/null
sed -n 's/^# public key: //p' "$D/identity.txt" >"$D/recipients.txt"
t_check_match "a newsroom key for the test" '^age1[0-9a-z]+$' "$(cat "$D/recipients.txt")"

free_port() {
	node -e 'const s = require("net").createServer();
	    s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

start_server() {
	PORT=$(free_port)
	cat >"$D/posternd.conf" <<CONF
listen = 127.0.0.1:$PORT
state_dir = $STATE
recipients_file = $D/recipients.txt
templates_dir = $TEMPLATES
max_file_size = 1M
max_submission_size = 8M
min_free_disk = 0
CONF
	"$POSTERND" -c "$D/posternd.conf" 2>"$D/posternd.log" &
	PID=$!
	for _ in $(seq 1 50); do
		if curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/" 2>/dev/null; then
			return 0
		fi
		kill -0 "$PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
# A port taken between the probe and the bind: try again.
started=0
for _ in 1 2 3; do
	if start_server; then started=1; break; fi
	stop_server
done
if [ $started = 1 ]; then
	t_ok "posternd answers GET / on 127.0.0.1:$PORT"
else
	t_fail "posternd started" "GET / answered" "$(cat "$D/posternd.log")"
	t_end
fi

# --- What the source uploads ---------------------------------------------
# A small text file, and binary bytes under a UTF-8 name (accents, an
# en dash, CJK, spaces); a 2 MiB file for the 1M limit.
F1=$D/files/notes.txt
F2="$D/files/Überweisung März – 文件 ñ.bin"
BIG=$D/files/too-big.bin
printf 'Budget 2026, internal draft.\nDo not forward.\n' >"$F1"
head -c 300000 /dev/urandom >"$F2"
head -c $((2 * 1024 * 1024)) /dev/urandom >"$BIG"
MESSAGE="Hello from the browser test. Ünïcödé ✓ — line two follows.
Second line: <b>not bold</b> & \"quoted\"."

# --- The browser -----------------------------------------------------------
T_NODE=$D/node.out
BASE_URL="http://127.0.0.1:$PORT" OUT_DIR="$OUT" FILE1="$F1" FILE2="$F2" \
    BIG_FILE="$BIG" MESSAGE="$MESSAGE" CHROMIUM="$CHROMIUM" \
    timeout -k 5 75 node "$HERE/form.test.mjs" >"$T_NODE" 2>"$D/node.err"
rc=$?

# Its lines become this script's checks.
np=0 nf=0
while IFS= read -r line; do
	case $line in
	"ok "*)
		np=$((np + 1))
		t_ok "browser: ${line#ok * - }"
		;;
	"not ok "*)
		nf=$((nf + 1))
		# NAME<TAB>EXPECTED<TAB>GOT; either value may be empty.
		rest=${line#not ok * - }
		name=${rest%%$'\t'*}
		rest=${rest#*$'\t'}
		t_fail "browser: $name" "${rest%%$'\t'*}" "${rest#*$'\t'}"
		;;
	"# browser: "*) summary=${line#\# browser: } ;;
	"#"*) echo "$line" ;;
	esac
done <"$T_NODE"
want="$np passed, $nf failed"
if [ "$rc" -le 1 ] && [ "${summary:-}" != "" ] && [ "${summary%% (*}" = "$want" ]; then
	t_ok "browser: the run finished ($summary)"
else
	t_fail "browser: the run finished" "exit status 0 or 1 and '$want'" \
	    "status $rc, summary '${summary:-none}'; stderr: $(tail -n 5 "$D/node.err")"
fi

for s in landing.png receipt.png error-413.png; do
	if [ -s "$OUT/$s" ] && [ "$(head -c 8 "$OUT/$s" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; then
		t_ok "screenshot $s is a PNG"
	else
		t_fail "screenshot $s" "a PNG file" "$(ls -l "$OUT/$s" 2>&1)"
	fi
done
if [ -n "${BROWSER_SHOTS:-}" ]; then
	mkdir -p "$BROWSER_SHOTS" && cp "$OUT"/*.png "$BROWSER_SHOTS"/ 2>/dev/null &&
	    echo "# screenshots copied to $BROWSER_SHOTS"
fi

stop_server

# --- The spool: what the journalists will decrypt --------------------------
# One submission (two files and the manifest); the refused upload left
# nothing.
set -- "$STATE"/spool/*.age
[ -e "$1" ] || set --
t_check "spool: three age files (two files, one manifest)" 3 "$#"
t_check "spool: no temp files left" "" "$(find "$STATE/spool" -mindepth 1 ! -name '*.age')"
manifest=""
for f in "$@"; do
	out=$D/plain/$(basename "$f" .age)
	mkdir -p "$D/plain"
	t_run "$BIN" decrypt -i "$D/identity.txt" -o "$out" "$f"
	t_check_rc "decrypt $(basename "$f")" 0
	if head -c 40 "$out" 2>/dev/null | grep -q '"format":"postern-manifest/1"'; then
		manifest=$out
	fi
done
if [ -z "$manifest" ]; then
	t_fail "spool: a manifest" "one manifest among the age files" "none"
	t_end
fi
t_ok "spool: the manifest decrypts"

# The manifest, read with node (JSON): message, then "item<TAB>name" lines.
t_run node -e '
	const m = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
	process.stdout.write(m.message + "\0");
	for (const f of m.files) process.stdout.write(f.item + "\t" + f.name + "\t" + f.size + "\0");
' "$manifest"
t_check_rc "the manifest is JSON" 0
msg=$(head -z -n 1 "$T_OUT" | tr -d '\0')
# The browser sends a textarea's line breaks as CRLF (HTML form encoding).
want_msg=$(printf '%s' "$MESSAGE" | sed 's/$/\r/' | head -c -1)
want_msg=${want_msg%$'\r'}
t_check "manifest: the message, as typed (CRLF line breaks)" "$want_msg" "$msg"
nfiles=$(tail -z -n +2 "$T_OUT" | tr -cd '\0' | wc -c)
t_check "manifest: two files" 2 "$nfiles"
for src in "$F1" "$F2"; do
	name=$(basename "$src")
	entry=$(tail -z -n +2 "$T_OUT" | tr '\0' '\n' | awk -F '\t' -v n="$name" '$2 == n')
	if [ -z "$entry" ]; then
		t_fail "manifest: names $name" "an entry named '$name'" "$(tail -z -n +2 "$T_OUT" | tr '\0' '\n')"
		continue
	fi
	item=${entry%%$'\t'*}
	size=${entry##*$'\t'}
	t_ok "manifest: names $name"
	t_check "manifest: size of $name" "$(t_size "$src")" "$size"
	t_check_same "spool: the bytes of $name" "$src" "$D/plain/$item"
done

echo "# run time: $(($(date +%s) - T0)) s"
t_end
