#!/usr/bin/env bash
# Requests posternd must refuse: each gets its status and an HTML error
# page with the security headers, leaves the spool, the temp directory and
# the database as they were, and the server goes on serving (a normal
# upload works right after). Also: clients that go away mid-upload, a
# server that is busy, and one that is short of disk.
set -u
. tests/lib.sh
. tests/integration/lib-server.sh

srv_init
srv_set max_file_size 1M
srv_set max_submission_size 3M
srv_set max_files 3
srv_set max_message_size 1K
srv_set max_uploads 2
srv_start || t_end
d=$(t_tmpdir)

head -c 900K /dev/urandom >"$d/900k"
head -c 1M /dev/urandom >"$d/1m"
head -c 1536K /dev/urandom >"$d/1.5m"
head -c 20M /dev/urandom >"$d/20m"
printf 'small\n' >"$d/small"

# --- pages and their headers ----------------------------------------------
http "$S_URL/"
check_status "GET /" 200
check_headers "GET /"
http "$S_URL/style.css"
check_status "GET /style.css" 200
check_headers "GET /style.css"
http "$S_URL/favicon.ico"
check_status "GET /favicon.ico" 204
check_headers "GET /favicon.ico"

# case_start NAME: the snapshot the case is compared with.
case_start() { BEFORE=$(srv_snapshot); CASE=$1; }
# case_end: nothing kept, and the server still takes an upload.
case_end() {
	check_unchanged "$CASE" "$BEFORE"
	check_upload_works "$CASE: afterwards"
}

# --- sizes and counts ------------------------------------------------------
# Every file within max_file_size, three of them (max_files) together
# over max_submission_size.
case_start "file too large"
srv_upload -F "message=hi" -F "files=@$d/1.5m"
check_error "$CASE" 413 'A file is too large'
case_end

case_start "too many files"
srv_upload -F "files=@$d/small" -F "files=@$d/small" -F "files=@$d/small" -F "files=@$d/small"
check_error "$CASE" 413 'Too many files'
case_end

case_start "whole request too large (declared length, no Expect)"
srv_upload -H 'Expect:' -F "files=@$d/1m" -F "files=@$d/1m" -F "files=@$d/1m"
check_error "$CASE" 413 'The upload is too large'
case_end

case_start "whole request too large (chunked, no length)"
srv_upload -H 'Transfer-Encoding: chunked' -H 'Expect:' \
    -F "files=@$d/1m" -F "files=@$d/1m" -F "files=@$d/1m"
check_error "$CASE" 413 'The upload is too large'
case_end

case_start "message too long"
srv_upload -F "message=$(head -c 2000 /dev/zero | tr '\0' m)"
check_error "$CASE" 413 'The message is too long'
case_end

# The declared length is far past what the server reads and drops
# (twice max_submission_size): the source should still see the 413 page,
# not a reset or an empty reply.
case_start "declared length far over the limit (20 MiB, no Expect)"
srv_upload -H 'Expect:' -F "files=@$d/20m"
check_error "$CASE" 413 'too large'
case_end

case_start "declared length far over the limit (20 MiB, Expect: 100-continue)"
srv_upload -H 'Expect: 100-continue' -F "files=@$d/20m"
check_error "$CASE" 413 'too large'
case_end

# --- hand-made bodies ------------------------------------------------------
B=PosternTestBoundary7
part() { printf -- '--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' "$B" "$1" "$2"; }
filepart() {
	printf -- '--%s\r\nContent-Disposition: form-data; name="files"; filename="%s"\r\nContent-Type: application/octet-stream\r\n\r\n%s\r\n' \
	    "$B" "$1" "$2"
}
closing() { printf -- '--%s--\r\n' "$B"; }
# post_raw FILE [CONTENT-TYPE]: the file as the body of POST /submit.
post_raw() {
	http -H "Content-Type:${2-multipart/form-data; boundary=$B}" -H 'Expect:' \
	    --data-binary "@$1" "$S_URL/submit"
}

# The same hand-made body, complete, is accepted: the cases below differ
# from it only where they say.
srv_token
{ part token "$TOKEN"; part message "a hand-made body"; filepart hand.txt "some text"; closing; } >"$d/good"
post_raw "$d/good"
check_receipt "hand-made multipart body (control)"

case_start "truncated multipart (no closing boundary)"
srv_token
{ part token "$TOKEN"; part message "cut short"; filepart cut.txt "some text"; } >"$d/body"
post_raw "$d/body"
check_error "$CASE" 400 'damaged'
case_end

case_start "truncated multipart (cut inside a part's headers)"
srv_token
{ part token "$TOKEN"; part message "cut short"; filepart cut.txt "some text"; closing; } >"$d/full"
off=$(grep -abo 'filename=' "$d/full" | tail -n 1 | cut -d: -f1)
head -c "$((off + 5))" "$d/full" >"$d/body"
post_raw "$d/body"
check_error "$CASE" 400 'damaged'
case_end

case_start "multipart body with no boundary in it"
printf 'this body has no multipart structure at all\r\n' >"$d/body"
post_raw "$d/body"
check_error "$CASE" 400 'damaged'
case_end

case_start "multipart without a boundary parameter"
post_raw "$d/good" "multipart/form-data"
check_error "$CASE" 400 'damaged'
case_end

case_start "not multipart (urlencoded)"
srv_token
http --data-urlencode "token=$TOKEN" --data-urlencode "message=hello" "$S_URL/submit"
check_error "$CASE" 400 'damaged'
case_end

case_start "not multipart (text/plain)"
post_raw "$d/good" "text/plain"
check_error "$CASE" 400 'damaged'
case_end

case_start "not multipart (no Content-Type)"
post_raw "$d/good" ""
check_error "$CASE" 400 'damaged'
case_end

# --- the token ---------------------------------------------------------------
case_start "missing token"
http -F "message=no token here" -F "files=@$d/small" "$S_URL/submit"
check_error "$CASE" 403 'expired'
case_end

case_start "bad token"
http -F "token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" -F "message=forged" -F "files=@$d/small" "$S_URL/submit"
check_error "$CASE" 403 'expired'
case_end

case_start "tampered token"
srv_token
case $TOKEN in *A) t=${TOKEN%?}B ;; *) t=${TOKEN%?}A ;; esac
http -F "token=$t" -F "message=tampered" "$S_URL/submit"
check_error "$CASE" 403 'expired'
case_end

case_start "over-long token"
srv_token
http -F "token=$TOKEN$TOKEN$TOKEN" -F "message=long" "$S_URL/submit"
check_error "$CASE" 403 'expired'
case_end

# --- nothing to send -------------------------------------------------------
case_start "empty submission (blank message, no file)"
srv_token
http -F "token=$TOKEN" -F "message=   " "$S_URL/submit"
check_error "$CASE" 400 'Nothing to send'
case_end

case_start "empty submission (an empty file input, as a browser sends it)"
srv_token
{ part token "$TOKEN"; part message ""; filepart "" ""; closing; } >"$d/body"
post_raw "$d/body"
check_error "$CASE" 400 'Nothing to send'
case_end

# --- methods and paths -----------------------------------------------------
# method NAME ALLOW CURL-ARGS...
method() {
	local name=$1 allow=$2
	shift 2
	case_start "$name"
	http "$@"
	check_error "$CASE" 405 'Method not allowed'
	t_check "$CASE: Allow header" "$allow" "$(hdr Allow)"
	case_end
}
method "GET /submit" "POST" "$S_URL/submit"
method "PUT / (no body)" "GET, HEAD" -X PUT "$S_URL/"
method "PUT / (with a body)" "GET, HEAD" -X PUT --data-binary "x" "$S_URL/"
method "DELETE /submit" "POST" -X DELETE "$S_URL/submit"
method "POST / (with a form body)" "GET, HEAD" -F "message=wrong place" "$S_URL/"

case_start "unknown path"
http "$S_URL/nope"
check_error "$CASE" 404 'Page not found'
case_end

case_start "unknown path (POST with a body)"
http -F "message=nowhere" "$S_URL/nope"
check_error "$CASE" 404 'Page not found'
case_end

case_start "path outside the site"
http --path-as-is "$S_URL/../state/postern.db"
check_error "$CASE" 404 'Page not found'
case_end

# --- oversize headers --------------------------------------------------------
# Headers past posternd's cap (16 KiB) get its own 431 page with every
# security header; past libmicrohttpd's connection memory (48 KiB) the
# library answers 431 itself with a bare page (documented in SECURITY.md).
big=$(head -c 20000 /dev/zero | tr '\0' h)
case_start "20 KB header on GET /"
http -H "X-Big: $big" "$S_URL/"
check_error "$CASE" 431
case_end

case_start "20 KB header on an upload"
srv_token
http -H "X-Big: $big" -F "token=$TOKEN" -F "message=big header" "$S_URL/submit"
check_error "$CASE" 431
case_end

huge=$(head -c 100000 /dev/zero | tr '\0' h)
case_start "100 KB header on GET / (libmicrohttpd's own 431)"
http -H "X-Big: $huge" "$S_URL/"
check_status "$CASE" 431
case_end

# --- clients that go away ------------------------------------------------------
# gone NAME HOW: a slow upload of 900 KiB that stops after about 2 s,
# by curl's own --max-time (HOW=timeout) or by killing curl (HOW=kill).
gone() {
	local how=$2 pid rc=0 mid n
	case_start "$1"
	srv_token
	curl -s -o /dev/null -H 'Expect:' --limit-rate 100K --max-time "$([ "$how" = timeout ] && echo 2 || echo 30)" \
	    -F "token=$TOKEN" -F "message=going away" -F "files=@$d/900k" "$S_URL/submit" 2>/dev/null &
	pid=$!
	srv_bg "$pid"
	sleep 1
	mid=$(srv_tmp_fds)
	if kill -0 "$pid" 2>/dev/null; then
		t_ok "$CASE: upload in progress after 1 s"
	else
		t_fail "$CASE: upload in progress after 1 s" "curl still sending" "curl ended"
	fi
	[ "$how" = kill ] && kill -TERM "$pid" 2>/dev/null
	wait "$pid" || rc=$?
	srv_bg_done "$pid"
	t_check "$CASE: curl ended mid-upload" "$([ "$how" = timeout ] && echo 28 || echo 143)" "$rc"
	if [ "$mid" = "?" ]; then
		echo "# $CASE: /proc/PID/fd not readable; temp file checks skipped"
	else
		t_check "$CASE: a temp file was open mid-upload" 1 "$mid"
		for _ in $(seq 1 50); do
			n=$(srv_tmp_fds)
			[ "$n" = 0 ] && break
			sleep 0.1
		done
		t_check "$CASE: the temp file is closed once the client is gone" 0 "$n"
	fi
	case_end
}
gone "client times out mid-upload" timeout
gone "client killed mid-upload" kill
# Twice max_uploads: a slot not given back would show now.
gone "client times out mid-upload, again" timeout
gone "client killed mid-upload, again" kill

# --- busy: max_uploads (2) uploads in progress --------------------------------
case_start "busy (max_uploads in progress)"
srv_token
pids=
for _ in 1 2; do
	curl -s -o /dev/null -H 'Expect:' --limit-rate 50K --max-time 30 \
	    -F "token=$TOKEN" -F "files=@$d/900k" "$S_URL/submit" 2>/dev/null &
	pids="$pids $!"
	srv_bg $!
done
sleep 1
srv_upload -F "message=one too many"
check_error "$CASE" 503 'busy'
for p in $pids; do
	kill -TERM "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	srv_bg_done "$p"
done
case_end

# --- short of disk: min_free_disk over what any disk has -------------------------
srv_stop
srv_set min_free_disk 921600G
srv_start || t_end
http "$S_URL/"
check_status "short of disk: the form still loads" 200
case_start "short of disk"
srv_upload -F "message=no room" -F "files=@$d/small"
check_error "$CASE" 507 'out of space'
check_unchanged "$CASE" "$BEFORE"
http "$S_URL/"
check_status "$CASE: still serving" 200
srv_stop
srv_set min_free_disk 0
srv_start || t_end
check_upload_works "short of disk: with room again"

t_check "tmp is empty at the end" "" "$(ls -A "$S_STATE/tmp")"
srv_stop
t_end
