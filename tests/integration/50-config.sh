#!/usr/bin/env bash
# posternd -c CONFIG --check, and start-up refusals: a good config says
# "config OK"; a bad one fails naming FILE:LINE and what is wrong; an
# empty recipients file and a non-loopback listen address stop posternd
# before it listens or touches the state directory.
set -u
. tests/lib.sh
. tests/integration/lib-server.sh
T_TIMEOUT=10 # a posternd that should refuse but starts is killed here

srv_init
d=$(t_tmpdir)
S_PORT=$((20000 + RANDOM % 40001))

# conf FILE [LINE...]: a config with the required keys (state in $d/state)
# and then the given lines, the first of them on line 6.
conf() {
	local f=$1
	shift
	{
		echo "# test config"
		echo "listen = 127.0.0.1:$S_PORT"
		echo "state_dir = $d/state"
		echo "recipients_file = $S_RCPT"
		echo "templates_dir = $PWD/templates"
		for l in "$@"; do printf '%s\n' "$l"; done
	} >"$f"
}

# --- --check --------------------------------------------------------------------
conf "$d/good.conf" "max_file_size = 100M" "max_files = 5" "min_free_disk = 0"
t_run "$PD" -c "$d/good.conf" --check
t_check_rc "--check, good config" 0
t_check_match "--check, good config: config OK" '^config OK' "$(t_stdout)"
t_check_match "--check counts the recipients" '2 recipients' "$(t_stdout)"
t_check_absent "--check creates no state dir" "$d/state"

conf "$d/ok6.conf"
sed -i "s/^listen = .*/listen = [::1]:$S_PORT/" "$d/ok6.conf"
t_run "$PD" -c "$d/ok6.conf" --check
t_check_rc "--check, listen on [::1]" 0
conf "$d/unix.conf"
sed -i "s|^listen = .*|listen = unix:$d/sock|" "$d/unix.conf"
t_run "$PD" -c "$d/unix.conf" --check
t_check_rc "--check, listen on a Unix socket" 0
conf "$d/big.conf" "min_free_disk = 921600G" "max_submission_size = 1048576G"
t_run "$PD" -c "$d/big.conf" --check
t_check_rc "--check, sizes up to 1 PiB" 0

# bad NAME LINE-NUMBER ERE CONFIG-LINE...: --check and a real start both
# fail, naming FILE:LINE and matching ERE.
bad() {
	local name=$1 line=$2 ere=$3 f=$d/bad.conf mode
	shift 3
	conf "$f" "$@"
	for mode in --check start; do
		if [ $mode = --check ]; then
			t_run "$PD" -c "$f" --check
		else
			t_run "$PD" -c "$f"
		fi
		t_check_match "$name ($mode): non-zero exit" '^[1-9]' "$T_RC"
		t_check_match "$name ($mode): names the line" "bad\\.conf:$line: " "$(t_stderr)"
		t_check_match "$name ($mode): says why" "$ere" "$(t_stderr)"
		t_check "$name ($mode): no 'config OK'" "" "$(grep 'config OK' "$T_OUT")"
	done
	t_check_absent "$name: no state dir created" "$d/state"
}
bad "max_files = 0" 7 'max_files' "min_free_disk = 0" "max_files = 0"
bad "unknown key" 6 'unknown key' "max_file_siz = 1M"
bad "key given twice" 8 'twice' "max_files = 3" "min_free_disk = 0" "max_files = 4"
bad "not a size" 6 'not a size' "max_file_size = 10X"
bad "size over 1 PiB" 6 'too large' "max_submission_size = 1048577G"
bad "terabytes are not a unit" 6 'not a size' "min_free_disk = 900T"
bad "comment after a value" 6 'not a size|max_file_size' "max_file_size = 1M # one megabyte"
bad "no '='" 6 'key = value' "max_files 3"
bad "max_workers out of range" 6 'max_workers' "max_workers = 257"

conf "$d/bad.conf"
sed -i '/^state_dir/d' "$d/bad.conf"
t_run "$PD" -c "$d/bad.conf" --check
t_check_match "missing state_dir: non-zero exit" '^[1-9]' "$T_RC"
t_check_match "missing state_dir: named" 'state_dir' "$(t_stderr)"

t_run "$PD" -c "$d/no-such.conf" --check
t_check_match "missing config file: non-zero exit" '^[1-9]' "$T_RC"
t_check_match "missing config file: named" 'no-such\.conf' "$(t_stderr)"

t_run "$PD"
t_check_rc "no -c: usage" 2
t_check_stderr_has "no -c: usage" 'usage'

# --- listen only on loopback ---------------------------------------------------------
# nonlocal ADDRESS: refused by --check and at start, naming the listen line.
nonlocal() {
	local mode
	conf "$d/bad.conf"
	sed -i "s|^listen = .*|listen = $1|" "$d/bad.conf"
	for mode in --check start; do
		if [ $mode = --check ]; then
			t_run "$PD" -c "$d/bad.conf" --check
		else
			t_run "$PD" -c "$d/bad.conf"
		fi
		t_check_match "listen $1 ($mode): refused" '^[1-9]' "$T_RC"
		t_check_match "listen $1 ($mode): names the line" 'bad\.conf:2: ' "$(t_stderr)"
		t_check_match "listen $1 ($mode): says why" 'loopback' "$(t_stderr)"
	done
	t_check_absent "listen $1: no state dir created" "$d/state"
}
nonlocal "0.0.0.0:$S_PORT"
nonlocal "[::]:$S_PORT"
nonlocal "192.0.2.10:$S_PORT"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$S_PORT/")
t_check "nothing listens after the refusals" 000 "$code"

# --- no recipient ----------------------------------------------------------------------
# norecipient NAME CONTENT: a recipients file with CONTENT stops posternd.
norecipient() {
	local mode
	printf '%s' "$2" >"$d/recipients-bad.txt"
	conf "$d/norcpt.conf"
	sed -i "s|^recipients_file = .*|recipients_file = $d/recipients-bad.txt|" "$d/norcpt.conf"
	for mode in --check start; do
		if [ $mode = --check ]; then
			t_run "$PD" -c "$d/norcpt.conf" --check
		else
			t_run "$PD" -c "$d/norcpt.conf"
		fi
		t_check_match "$1 ($mode): refused" '^[1-9]' "$T_RC"
		t_check_match "$1 ($mode): names the file" 'recipients-bad\.txt' "$(t_stderr)"
		t_check_match "$1 ($mode): says there is no recipient" 'no recipient|recipient' "$(t_stderr)"
	done
	t_check_match "$1: start says it will not run without one" 'refusing to start|without a recipient' "$(t_stderr)"
	t_check_absent "$1: no state dir created" "$d/state"
}
norecipient "empty recipients file" ""
norecipient "recipients file of comments only" "# nobody yet
"
norecipient "recipients file with a bad key" "age1notakey
"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$S_PORT/")
t_check "nothing listens after the refusals" 000 "$code"

# --- and the good config does start ----------------------------------------------------
srv_start || t_end
http "$S_URL/"
check_status "a good config serves" 200
srv_stop
t_check "and stops cleanly" 0 "$S_EXIT"
t_end
