#!/usr/bin/env bash
# An encrypt or decrypt to -o that is interrupted (SIGINT, SIGTERM, SIGHUP)
# half-way leaves neither OUT nor a temporary file, and OUT never appears
# before the end. The input is a FIFO that we feed part of the data and
# then hold open, so the program is reliably stuck mid-stream when the
# signal comes.
set -u
. tests/lib.sh
t_need_bin

d=$(t_tmpdir)
"$BIN" keygen --unprotected -o "$d/k" 2>/dev/null
r=$(sed -n 's/^# public key: //p' "$d/k")
head -c 400000 /dev/urandom >"$d/plain"
"$BIN" encrypt -r "$r" -o "$d/ct" "$d/plain"
if [ -z "$r" ] || [ ! -s "$d/ct" ]; then
	t_fail "set-up" "a key and a ciphertext" "none"
	t_end
fi

# interrupted NAME SIGNAL DATA BYTES CMD...: runs CMD -o OUT FIFO, feeds
# it BYTES of DATA, sends SIGNAL and checks what is left.
interrupted() {
	local name=$1 sig=$2 data=$3 bytes=$4
	shift 4
	local od fifo pid wpid rc=0
	od=$(t_tmpdir)
	fifo=$(t_tmpdir)/fifo
	mkfifo "$fifo"
	# Our own read-write descriptor keeps a writer on the FIFO: the
	# program never sees EOF, it waits for more.
	exec 3<>"$fifo"
	# Background jobs of a script start with SIGINT ignored; give the
	# program the default disposition, as a terminal's Ctrl-C would find.
	env --default-signal=INT "$@" -o "$od/out" "$fifo" >"$T_OUT" 2>"$T_ERR" 3>&- &
	pid=$!
	head -c "$bytes" "$data" >&3 &
	wpid=$!
	for _ in $(seq 1 50); do
		kill -0 "$wpid" 2>/dev/null || break
		sleep 0.1
	done
	sleep 0.5
	if kill -0 "$pid" 2>/dev/null; then
		t_ok "$name: still running mid-stream"
	else
		wait "$pid"
		t_fail "$name: still running mid-stream" "a running process" "exited with $?: $(t_stderr)"
	fi
	t_check_absent "$name: OUT not in place before the end" "$od/out"

	kill -"$sig" "$pid" 2>/dev/null
	for _ in $(seq 1 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null
		t_fail "$name: ends on SIG$sig" "the process gone within 5 s" "still running (killed)"
	fi
	wait "$pid" || rc=$?
	kill "$wpid" 2>/dev/null
	wait "$wpid" 2>/dev/null
	exec 3>&-
	if [ "$rc" -ne 0 ]; then
		t_ok "$name: not a success (status $rc)"
	else
		t_fail "$name: exit status" "not 0" "0"
	fi
	t_check_dir "$name: no OUT, no temp file" "$od"
}

for sig in INT TERM HUP; do
	interrupted "decrypt -o, SIG$sig after 2 chunks" "$sig" "$d/ct" 150000 \
	    "$BIN" decrypt -i "$d/k"
	interrupted "encrypt -o, SIG$sig after 150000 bytes" "$sig" "$d/plain" 150000 \
	    "$BIN" encrypt -r "$r"
done
# Stuck in the header, before anything could be decrypted.
interrupted "decrypt -o, SIGTERM inside the header" TERM "$d/ct" 60 \
    "$BIN" decrypt -i "$d/k"

t_end
