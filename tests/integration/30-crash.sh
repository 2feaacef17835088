#!/usr/bin/env bash
# posternd killed with SIGKILL mid-upload and mid-seal, then restarted:
# no temp file, no row and no spool file of the lost upload remain, a
# receipt is given only for what the database holds, recorded items
# survive, and uploads work again. Leftovers planted in the spool (a
# spool temp file, an .age file no row names) are removed at start-up.
# shellcheck disable=SC2010,SC2012 # ls -A: the listings are the point
set -u
. tests/lib.sh
. tests/integration/lib-server.sh

srv_init
srv_start || t_end
d=$(t_tmpdir)
head -c 20M /dev/urandom >"$d/20m"
head -c 100M /dev/urandom >"$d/100m"

# A submission that every crash below must leave alone.
check_upload_works "before any crash"
first=$(sql "SELECT id FROM items WHERE kind = 'manifest'")

# bg_upload FILE RATE: a background upload of FILE (curl --limit-rate RATE,
# or full speed for "-"); its status goes to $d/code, its pid to CPID.
bg_upload() {
	local rate=()
	[ "$2" = - ] || rate=(--limit-rate "$2")
	srv_token
	curl -s -o "$d/body" -w '%{http_code}' -H 'Expect:' "${rate[@]}" --max-time 60 \
	    -F "token=$TOKEN" -F "message=lost in a crash" -F "files=@$1" \
	    "$S_URL/submit" >"$d/code" 2>/dev/null &
	CPID=$!
	srv_bg "$CPID"
}
bg_wait() {
	wait "$CPID" 2>/dev/null
	srv_bg_done "$CPID"
	CODE=$(cat "$d/code" 2>/dev/null)
}

# --- 1. SIGKILL while the body is arriving ------------------------------------
before=$(srv_snapshot)
bg_upload "$d/20m" 2M
sleep 1.5
mid=$(srv_tmp_fds)
if kill -0 "$CPID" 2>/dev/null; then
	t_ok "mid-upload: curl still sending after 1.5 s"
else
	t_fail "mid-upload: curl still sending after 1.5 s" "running" "ended with $(cat "$d/code")"
fi
case $mid in
"?") echo "# /proc/PID/fd not readable: the open temp file is not checked" ;;
*) t_check "mid-upload: the upload's temp file is open" 1 "$mid" ;;
esac
srv_kill9
bg_wait
t_check "mid-upload crash: no receipt" "no" "$([ "$CODE" = 200 ] && echo "yes ($CODE)" || echo no)"
t_check "mid-upload crash: nothing kept (before restart)" "$before" "$(srv_snapshot)"
srv_start || t_end
t_check "mid-upload crash: nothing kept (after restart)" "$before" "$(srv_snapshot)"
check_upload_works "after the mid-upload crash"

# --- 2. SIGKILL while the files are sealed into the spool ---------------------
# The body arrives at full speed; the crash comes when a spool temp file
# (".<item>.tmp") appears, i.e. while the 100 MiB file is encrypted. A
# receipt, if curl got one first, must match a recorded submission.
caught=0
for attempt in 1 2 3; do
	before=$(srv_snapshot)
	nsub=$(sql 'SELECT count(*) FROM submissions')
	bg_upload "$d/100m" -
	for _ in $(seq 1 6000); do
		if compgen -G "$S_STATE/spool/.*.tmp" >/dev/null; then
			srv_kill9
			caught=1
			break
		fi
		kill -0 "$CPID" 2>/dev/null || break
		sleep 0.005
	done
	[ -n "$S_PID" ] && srv_kill9 # it finished first: crash anyway
	bg_wait
	leftover=$(ls -A "$S_STATE/spool" | grep -c '\.tmp$')
	srv_start || t_end
	t_check "seal crash $attempt: no spool temp file after restart" "" \
	    "$(ls -A "$S_STATE/spool" | grep '\.tmp$')"
	t_check "seal crash $attempt: tmp is empty" "" "$(ls -A "$S_STATE/tmp")"
	if [ "$CODE" = 200 ]; then
		t_check "seal crash $attempt: the receipt's submission is recorded" \
		    "$((nsub + 1))" "$(sql 'SELECT count(*) FROM submissions')"
		missing=""
		for id in $(sql 'SELECT id FROM items'); do
			[ -f "$S_STATE/spool/$id.age" ] || missing="$missing $id"
		done
		t_check "seal crash $attempt: every recorded item is in the spool" "" "$missing"
	else
		t_check "seal crash $attempt: no receipt, nothing kept" "$before" "$(srv_snapshot)"
	fi
	if [ $caught = 1 ]; then
		echo "# seal crash $attempt: killed while sealing ($leftover spool temp file(s) left by the crash)"
		t_check "seal crash: the crash left a spool temp file for start-up to remove" 1 \
		    "$([ "$leftover" -ge 1 ] && echo 1 || echo 0)"
		break
	fi
	echo "# seal crash $attempt: the upload finished before the crash (status $CODE); again"
done
t_check "seal crash: the kill landed while sealing (in 3 tries)" 1 "$caught"
check_upload_works "after the seal crash"

# --- 3. leftovers planted while the server is down ----------------------------
srv_stop
before=$(srv_snapshot)
hex32() { head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
stray=.$(hex32).tmp
orphan=$(hex32).age
n0=$(ls -A "$S_STATE/spool" | wc -l)
head -c 5000 /dev/urandom >"$S_STATE/spool/$stray"
printf 'orphan\n' | "$BIN" encrypt -r "$S_R1" -o "$S_STATE/spool/$orphan" 2>/dev/null
t_check "planted: two files added" $((n0 + 2)) "$(ls -A "$S_STATE/spool" | wc -l)"
cp "$S_LOG" "$S_LOG.before"
srv_start || t_end
t_check_absent "start-up removes a stray spool temp file" "$S_STATE/spool/$stray"
t_check_absent "start-up removes an .age file no row names" "$S_STATE/spool/$orphan"
t_check "recorded items survive start-up" "$before" "$(srv_snapshot)"
t_check_match "the log says what was removed" 'removed 2 spool files' \
    "$(diff "$S_LOG.before" "$S_LOG" | sed -n 's/^> //p')"
if "$BIN" decrypt -i "$S_KEY1" -o "$d/first.json" "$S_STATE/spool/$first.age" 2>"$d/err" &&
    grep -q '"still there?"' "$d/first.json"; then
	t_ok "the first submission's manifest still opens"
else
	t_fail "the first submission's manifest still opens" "its JSON" "$(cat "$d/err")"
fi
check_upload_works "after the planted leftovers"

srv_stop
t_end
