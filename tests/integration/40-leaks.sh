#!/usr/bin/env bash
# Nothing a source sends is kept in clear: a unique marker, sent inside a
# file, in the message, in a file name, in the User-Agent and other
# headers, through uploads that succeed, fail or are cut off, is found
# nowhere under the state directory (database and spool included) nor in
# posternd's log; the log holds no client address and no User-Agent; and
# the temp file of an upload in progress is ciphertext.
# shellcheck disable=SC2012 # ls -A: the listings are the point
set -u
. tests/lib.sh
. tests/integration/lib-server.sh

# posternd listens on 127.0.0.2, so its own "listening on" line cannot
# contain 127.0.0.1, the address every client here connects from.
S_HOST=127.0.0.2
srv_init
srv_set max_file_size 2M
srv_set max_submission_size 8M
srv_start || t_end
d=$(t_tmpdir)

MARK=PSTRN$(head -c 10 /dev/urandom | od -An -tx1 | tr -d ' \n')X
UA="PosternLeakProbe/7.3 (X11; $MARK-ua)"
t_check "clients connect from 127.0.0.1" "127.0.0.1" \
    "$(curl -s -o /dev/null -w '%{local_ip}' --max-time 10 "$S_URL/")"

# Every request carries the marker in its headers too.
H=(-A "$UA" -e "http://$MARK.example/ref" -H "X-Probe: $MARK-hdr" -H "Accept-Language: en-US")
leak_upload() {
	srv_token
	http "${H[@]}" -F "token=$1" "${@:2}" "$S_URL/submit"
}

# A text document full of the marker, a binary one with it inside, and one
# over max_file_size.
for i in $(seq 1 4000); do echo "line $i of the secret report $MARK end"; done >"$d/report"
{ head -c 30000 /dev/urandom; printf '%s' "$MARK"; head -c 30000 /dev/urandom; } >"$d/binary"
for i in $(seq 1 16); do cat "$d/report"; done >"$d/toolarge"

srv_token
leak_upload "$TOKEN" -F "message=Dear newsroom, $MARK is the code word." \
    -F "files=@$d/report;filename=report-$MARK.txt" -F "files=@$d/binary;filename=$MARK.bin"
check_receipt "upload with the marker"

srv_token
leak_upload "$TOKEN" -F "message=too large $MARK" -F "files=@$d/toolarge;filename=big-$MARK.txt"
check_status "too large upload with the marker" 413

leak_upload "forged-$MARK" -F "message=bad token $MARK" -F "files=@$d/report;filename=tok-$MARK.txt"
check_status "bad-token upload with the marker" 403

srv_token
leak_upload "$TOKEN" -F "message=   " -F "lang=$MARK"
check_status "empty upload with the marker in another field" 400

http "${H[@]}" "$S_URL/?lang=$MARK"
check_status "GET /?lang=MARKER" 200
http "${H[@]}" "$S_URL/$MARK"
check_status "GET /MARKER" 404
http "${H[@]}" -X DELETE "$S_URL/submit?x=$MARK"
check_status "DELETE /submit?x=MARKER" 405

# An upload cut off mid-way: while it runs, its temp file is ciphertext.
srv_token
curl -s -o /dev/null "${H[@]}" -H 'Expect:' --limit-rate 100K --max-time 30 \
    -F "token=$TOKEN" -F "message=cut off $MARK" -F "files=@$d/report;filename=cut-$MARK.txt" \
    "$S_URL/submit" 2>/dev/null &
cpid=$!
srv_bg "$cpid"
sleep 1.5
tmpf=
if [ "$(srv_tmp_fds)" = "?" ]; then
	echo "# /proc/PID/fd not readable: the temp file of an upload in progress is not checked"
else
	for f in /proc/"$S_PID"/fd/*; do
		case $(readlink "$f" 2>/dev/null) in "$S_STATE/tmp/"*) tmpf=$f ;; esac
	done
	if [ -z "$tmpf" ]; then
		t_fail "mid-upload: a temp file in STATE/tmp" "one open file" "none"
	else
		cp "$tmpf" "$d/tempcopy" 2>/dev/null
		size=$(t_size "$d/tempcopy")
		if [ "$size" != "(no file)" ] && [ "$size" -gt 32768 ]; then
			t_ok "mid-upload: the temp file holds data ($size bytes)"
		else
			t_fail "mid-upload: the temp file holds data" "over 32768 bytes" "$size"
		fi
		t_check "mid-upload: the temp file has no marker in clear" 0 "$(grep -a -c -F "$MARK" "$d/tempcopy")"
		t_check "mid-upload: the temp file has no line of the document" 0 "$(grep -a -c 'of the secret report' "$d/tempcopy")"
	fi
fi
kill -TERM "$cpid" 2>/dev/null
wait "$cpid" 2>/dev/null
srv_bg_done "$cpid"

# found WHERE: files under the state directory that hold the marker.
found() { grep -r -a -l -F -e "$MARK" -e "PosternLeakProbe" -e "secret report" "$S_STATE" 2>/dev/null | tr '\n' ' '; }
sleep 0.5
t_check "marker nowhere under the state dir (server running)" "" "$(found)"
t_check "spool holds 3 items (2 files, 1 manifest)" 3 "$(ls -A "$S_STATE/spool" | wc -l)"
t_check "tmp is empty" "" "$(ls -A "$S_STATE/tmp")"
srv_stop
t_check "marker nowhere under the state dir (server stopped)" "" "$(found)"

# The marker is in the spool, encrypted: the journalists get it back.
m=$(sql "SELECT id FROM items WHERE kind = 'manifest'")
"$BIN" decrypt -i "$S_KEY1" -o "$d/manifest" "$S_STATE/spool/$m.age" 2>/dev/null
t_check "the manifest holds the marker (message and names)" 3 "$(grep -o -F "$MARK" "$d/manifest" | wc -l)"

t_check "log: no marker" "" "$(grep -a -F "$MARK" "$S_LOG")"
t_check "log: no client address 127.0.0.1" "" "$(grep -a -F '127.0.0.1' "$S_LOG")"
t_check "log: no User-Agent" "" "$(grep -a -i -e 'PosternLeakProbe' -e 'X11;' -e 'curl/' -e 'user-agent' "$S_LOG")"
t_check "log: no file name" "" "$(grep -a -e 'report-' -e '\.bin' -e '\.txt' "$S_LOG")"
t_check "log: no date or time of day" "" "$(grep -a -E '[0-9]{2}:[0-9]{2}:[0-9]{2}|20[0-9]{2}-[0-9]{2}-[0-9]{2}' "$S_LOG")"
t_check_match "log: says it listened (the log was written)" 'listening on 127\.0\.0\.2:' "$(cat "$S_LOG")"
t_end
