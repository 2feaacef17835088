# tests/integration/lib-server.sh — start, stop and talk to a posternd.
# shellcheck shell=bash disable=SC2012,SC2034
#
# Sourced by the numbered integration scripts, after tests/lib.sh:
#
#   . tests/lib.sh
#   . tests/integration/lib-server.sh
#   srv_init                      keys, recipients file, state directory
#   srv_set max_files 3           a config key for the next srv_start
#   srv_start                     posternd on a free loopback port, ready
#   srv_upload "ok" -F message=hi -F files=@f
#   srv_stop
#   t_end
#
# Every server is started on 127.0.0.1 (or S_HOST) at a random port from
# 20000 to 60000, with its own state directory and config inside $T_TMP,
# and its standard error in $S_LOG. The EXIT trap kills, by PID, the
# server and every background client a script registered with srv_bg.
#
# After http (and the helpers built on it): R_CODE is the final status
# ("000" if none), R_RC curl's exit status, $R_BODY the body and $R_HDRS
# the headers of the final response (a 100 Continue block is dropped).

PD=$BUILD/posternd
S_DIR=$T_TMP/server
S_STATE=$S_DIR/state
S_CONF=$S_DIR/posternd.conf
S_LOG=$S_DIR/posternd.log
S_RCPT=$S_DIR/recipients.txt
S_KEY1=$S_DIR/identity-postern-open.txt   # made by postern-open keygen
S_KEY2=$S_DIR/identity-age-keygen.txt     # made by age-keygen
S_R1=
S_R2=
S_HOST=${S_HOST:-127.0.0.1}
S_PORT=
S_URL=
S_PID=
S_BG=
S_EXIT= # the exit status of the last srv_stop
R_BODY=$T_TMP/response.body
R_HDRS=$T_TMP/response.headers
R_RAW=$T_TMP/response.rawheaders
R_CODE=000
R_RC=0
TOKEN=

# The exact Content-Security-Policy of server/http.c.
S_CSP="default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

# The config keys a test may set, with the values every server starts
# with. min_free_disk 0: the tests must not depend on the machine's disk.
declare -A S_CFG=(
	[max_file_size]=500M [max_submission_size]=1G [max_message_size]=64K
	[max_files]=20 [max_uploads]=64 [max_workers]=2 [min_free_disk]=0
)

srv_cleanup() {
	local p
	for p in $S_BG $S_PID; do
		kill -KILL "$p" 2>/dev/null
	done
	for p in $S_BG $S_PID; do
		wait "$p" 2>/dev/null
	done
	S_BG='' S_PID=''
}
trap 'srv_cleanup; rm -rf "$T_TMP"' EXIT

# srv_bg PID: a background client the EXIT trap must kill.
srv_bg() { S_BG="$S_BG $1"; }

# srv_bg_done PID: stop tracking it (it was waited for).
srv_bg_done() {
	local p out=
	for p in $S_BG; do [ "$p" = "$1" ] || out="$out $p"; done
	S_BG=$out
}

# srv_need: the binaries and tools every integration script uses.
srv_need() {
	t_need curl sqlite3 age age-keygen perl cmp sha256sum
	if [ ! -x "$PD" ] || [ ! -x "$BIN" ]; then
		t_fail "binaries" "executables $PD and $BIN (run make)" "missing"
		t_end
	fi
}

# srv_init: two newsroom keys (one from each tool) and the recipients file.
srv_init() {
	srv_need
	mkdir -p "$S_DIR" || exit 1
	"$BIN" keygen --unprotected -o "$S_KEY1" 2>/dev/null
	age-keygen -o "$S_KEY2" 2>/dev/null
	S_R1=$(sed -n 's/^# public key: //p' "$S_KEY1")
	S_R2=$(sed -n 's/^# public key: //p' "$S_KEY2")
	case $S_R1$S_R2 in
	age1*age1*) ;;
	*)
		t_fail "set-up: two recipients" "two age1... keys" "'$S_R1' '$S_R2'"
		t_end
		;;
	esac
	printf '# newsroom keys\n%s\n%s\n' "$S_R1" "$S_R2" >"$S_RCPT"
}

# srv_set KEY VALUE: a config value for the next srv_start.
srv_set() { S_CFG[$1]=$2; }

# srv_write_conf: the config file, for the current S_HOST and S_PORT.
srv_write_conf() {
	local k
	{
		echo "# written by tests/integration/lib-server.sh"
		echo "listen = $S_HOST:$S_PORT"
		echo "state_dir = $S_STATE"
		echo "recipients_file = $S_RCPT"
		echo "templates_dir = $PWD/templates"
		for k in "${!S_CFG[@]}"; do echo "$k = ${S_CFG[$k]}"; done
	} >"$S_CONF"
}

# srv_start: posternd on a free port, answering GET / within about 5 s.
# Returns 1 (after a failed check) if it would not start.
srv_start() {
	local i code
	for _ in 1 2 3 4 5; do
		S_PORT=$((20000 + RANDOM % 40001))
		S_URL="http://$S_HOST:$S_PORT"
		# Someone already answers there: try another port.
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$S_URL/" 2>/dev/null)
		[ "$code" = 000 ] || continue
		srv_write_conf
		"$PD" -c "$S_CONF" 2>>"$S_LOG" &
		S_PID=$!
		for i in $(seq 1 50); do
			if ! kill -0 "$S_PID" 2>/dev/null; then
				wait "$S_PID" 2>/dev/null
				S_PID=
				break
			fi
			if curl -s -o "$R_BODY" --max-time 1 "$S_URL/" 2>/dev/null &&
			    grep -q 'name="token"' "$R_BODY"; then
				return 0
			fi
			sleep 0.1
		done
		if [ -n "$S_PID" ]; then
			kill -KILL "$S_PID" 2>/dev/null
			wait "$S_PID" 2>/dev/null
			S_PID=
			t_fail "posternd answers GET / within 5 s" "a page with the form" \
			    "no answer; log: $(tail -n 3 "$S_LOG")"
			return 1
		fi
		# It exited: a port taken between our probe and its bind is
		# the only failure worth another try.
		grep -q 'cannot start the HTTP server' "$S_LOG" || break
	done
	t_fail "posternd starts" "a running server" "it exited; log: $(tail -n 3 "$S_LOG")"
	return 1
}

# srv_stop: SIGTERM, then wait (at most 10 s, then SIGKILL). S_EXIT is its
# exit status.
srv_stop() {
	[ -n "$S_PID" ] || return 0
	kill -TERM "$S_PID" 2>/dev/null
	for _ in $(seq 1 100); do
		kill -0 "$S_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$S_PID" 2>/dev/null; then
		kill -KILL "$S_PID" 2>/dev/null
		t_fail "posternd stops on SIGTERM" "gone within 10 s" "still running (killed)"
	fi
	S_EXIT=0
	wait "$S_PID" 2>/dev/null || S_EXIT=$?
	S_PID=
}

# srv_kill9: the crash.
srv_kill9() {
	[ -n "$S_PID" ] || return 0
	kill -KILL "$S_PID" 2>/dev/null
	wait "$S_PID" 2>/dev/null
	S_PID=
}

# http CURL-ARGS...: one request; see R_* above. At most R_MAXTIME
# seconds (default 120).
http() {
	R_RC=0
	rm -f "$R_BODY" "$R_RAW"
	R_CODE=$(curl -sS -o "$R_BODY" -D "$R_RAW" -w '%{http_code}' \
	    --max-time "${R_MAXTIME:-120}" "$@" 2>"$T_TMP/curl.err") || R_RC=$?
	[ -f "$R_BODY" ] || : >"$R_BODY"
	# The last header block only, without CRs.
	if [ -f "$R_RAW" ]; then
		tr -d '\r' <"$R_RAW" | awk '/^HTTP\// { n = 0; delete h } { h[n++] = $0 }
		    END { for (i = 0; i < n; i++) print h[i] }' >"$R_HDRS"
	else
		: >"$R_HDRS"
	fi
}

# hdr NAME: the value of a header of the last response (first one).
hdr() {
	awk -v n="$1" 'BEGIN { n = tolower(n) ":" }
	    tolower(substr($0, 1, length(n))) == n {
	        v = substr($0, length(n) + 1); sub(/^[ \t]+/, "", v); print v; exit }' "$R_HDRS"
}

# srv_token: a fresh form token from GET / into TOKEN.
srv_token() {
	TOKEN=$(curl -s --max-time 10 "$S_URL/" |
	    sed -n 's/.*<input type="hidden" name="token" value="\([^"]*\)".*/\1/p' | head -n 1)
}

# srv_upload CURL-ARGS...: POST /submit with a fresh token and the given
# form fields (-F ...).
srv_upload() {
	srv_token
	http -F "token=$TOKEN" "$@" "$S_URL/submit"
}

# sql QUERY: run it on the state's database (read only, as an admin would).
sql() {
	sqlite3 -batch -cmd '.timeout 5000' "$S_STATE/postern.db" "$1" 2>&1
}

# srv_db: the row counts of the three tables, "S/I/K".
srv_db() {
	sql "SELECT (SELECT count(*) FROM submissions) || '/' ||
	    (SELECT count(*) FROM items) || '/' || (SELECT count(*) FROM item_keys)"
}

# srv_snapshot: what the server keeps, on one line: the spool's and the
# temp directory's entries (hidden ones too) and the row counts.
srv_snapshot() {
	printf 'spool: %s| tmp: %s| db: %s' \
	    "$(ls -A "$S_STATE/spool" 2>&1 | LC_ALL=C sort | tr '\n' ' ')" \
	    "$(ls -A "$S_STATE/tmp" 2>&1 | LC_ALL=C sort | tr '\n' ' ')" \
	    "$(srv_db)"
}

# check_unchanged NAME BEFORE: the snapshot is BEFORE again (waiting up to
# 5 s for a request the server is still finishing).
check_unchanged() {
	local now
	for _ in $(seq 1 50); do
		now=$(srv_snapshot)
		[ "$now" = "$2" ] && break
		sleep 0.1
	done
	t_check "$1: spool, tmp and database unchanged" "$2" "$now"
}

# srv_tmp_fds: how many of posternd's open files are in STATE/tmp, or
# "?" if /proc does not show them (posternd is not dumpable, so only
# root sees its descriptors).
srv_tmp_fds() {
	local n=0 f l
	if [ -z "$S_PID" ] || ! ls "/proc/$S_PID/fd" >/dev/null 2>&1; then
		echo "?"
		return
	fi
	for f in /proc/"$S_PID"/fd/*; do
		l=$(readlink "$f" 2>/dev/null) || continue
		case $l in "$S_STATE/tmp/"*) n=$((n + 1)) ;; esac
	done
	echo "$n"
}

# check_status NAME STATUS: the status of the last response.
check_status() {
	if [ "$R_CODE" = "$2" ]; then
		t_ok "$1: status $2"
	else
		t_fail "$1: status" "$2" "$R_CODE (curl exit $R_RC: $(head -c 200 "$T_TMP/curl.err"))"
	fi
}

# check_headers NAME: the headers every response must carry.
check_headers() {
	t_check "$1: Content-Security-Policy" "$S_CSP" "$(hdr Content-Security-Policy)"
	t_check "$1: Referrer-Policy" "no-referrer" "$(hdr Referrer-Policy)"
	t_check "$1: X-Content-Type-Options" "nosniff" "$(hdr X-Content-Type-Options)"
	t_check "$1: Cache-Control" "no-store" "$(hdr Cache-Control)"
	if grep -Eiq '^server:.*[0-9]' "$R_HDRS"; then
		t_fail "$1: no Server version" "no Server header with a version" \
		    "$(grep -i '^server:' "$R_HDRS")"
	else
		t_ok "$1: no Server version"
	fi
}

# check_error NAME STATUS [ERE]: the last response is STATUS with an HTML
# error page saying so (and matching ERE), and the security headers. For
# 431 (refused by libmicrohttpd before posternd sees the request) any HTML
# page will do, but not missing headers.
check_error() {
	local want="Error $2"
	check_status "$1" "$2"
	t_check_match "$1: an HTML page" '^text/html' "$(hdr Content-Type)"
	if grep -q '<html' "$R_BODY" && grep -q "$want" "$R_BODY"; then
		t_ok "$1: error page ($want)"
	else
		t_fail "$1: error page" "an HTML page with '$want'" "$(head -c 300 "$R_BODY")"
	fi
	if [ -n "${3:-}" ]; then
		t_check_match "$1: page says why" "$3" "$(grep -o '<h1>[^<]*</h1>' "$R_BODY")"
	fi
	check_headers "$1"
}

# check_receipt NAME: the last response is the receipt page.
check_receipt() {
	check_status "$1" 200
	if grep -q 'We received what you sent' "$R_BODY"; then
		t_ok "$1: receipt page"
	else
		t_fail "$1: receipt page" "We received what you sent" "$(head -c 300 "$R_BODY")"
	fi
}

# check_upload_works NAME: a normal upload gets a receipt and adds one
# submission with one file and its manifest.
check_upload_works() {
	local before after f=$T_TMP/ok.txt
	printf 'an ordinary document\n' >"$f"
	before=$(srv_db)
	srv_upload -F "message=still there?" -F "files=@$f"
	check_receipt "$1: a normal upload"
	after=$(srv_db)
	t_check "$1: the normal upload is recorded" \
	    "$(echo "$before" | awk -F/ '{ print $1 + 1 "/" $2 + 2 "/" $3 + 4 }')" "$after"
}

# hex STRING: its bytes in hex, to compare names exactly.
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }

# keyid RECIPIENT: the key id every Postern tool shows (README).
keyid() { printf '%s' "$1" | sha256sum | cut -c 1-16; }

# manifest_fields FILE: a decrypted manifest, one line per file:
# item size type cleaned claimed_type hex(name) report status,
# tab-separated ("report" or "noreport"; status as the manifest says, or
# "-"); then a
# line "message<TAB>hex", "format<TAB>...", "submission<TAB>...",
# "received_hour<TAB>...". Exit status 1 if it is not valid JSON.
manifest_fields() {
	perl -MJSON::PP -e '
		local $/; my $t = <STDIN>;
		my $j = eval { JSON::PP->new->utf8->decode($t) } or exit 1;
		my $h = sub { my $s = shift; utf8::encode($s); unpack("H*", $s) };
		for my $f (@{ $j->{files} || [] }) {
			print join("\t", "file", $f->{item}, $f->{size}, $f->{type},
			    ($f->{cleaned} ? "true" : "false"),
			    (defined $f->{claimed_type} ? $f->{claimed_type} : "null"),
			    $h->($f->{name}), (defined $f->{report} ? "report" : "noreport"),
			    (defined $f->{status} ? $f->{status} : "-")), "\n";
		}
		print "message\t", $h->($j->{message}), "\n";
		print "nfiles\t", scalar(@{ $j->{files} || [] }), "\n";
		print "$_\t", (defined $j->{$_} ? $j->{$_} : ""), "\n"
		    for qw(format submission received_hour);
	' <"$1"
}
