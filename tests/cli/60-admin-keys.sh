#!/usr/bin/env bash
# postern-admin keys and server-key: usage (exit 2), keys add (-y, the
# question on the terminal, no terminal, duplicates, secret keys refused),
# keys list (ids, item counts, key ids only the database knows), keys
# retire (the last key and unknown ids refused), the recipients file
# rewritten atomically with its comments, mode and no temporary file left,
# and a running posternd encrypting the very next submission to the new
# set of keys without a restart. Then server-key init / show.
#
#   BUILD=build bash tests/cli/60-admin-keys.sh
# shellcheck disable=SC2012 # ls -A: the listings are the point
set -u
. tests/lib.sh
. tests/integration/lib-server.sh

ADMIN=$BUILD/postern-admin
T_ERR_PREFIX="postern-admin: "
srv_need
t_need setsid script flock
if [ ! -x "$ADMIN" ]; then
	t_fail "binary" "an executable $ADMIN (run make)" "missing"
	t_end
fi

# The recipients file lives alone in its own directory, so a temporary
# file left beside it shows.
K=$T_TMP/keys
mkdir -p "$S_DIR" "$K" "$S_STATE"
S_RCPT=$K/recipients.txt
S_PORT=1
srv_write_conf

"$BIN" keygen --unprotected -o "$S_KEY1" 2>/dev/null
"$BIN" keygen --unprotected -o "$S_KEY2" 2>/dev/null
age-keygen -o "$S_DIR/key3" 2>/dev/null
R1=$(sed -n 's/^# public key: //p' "$S_KEY1")
R2=$(sed -n 's/^# public key: //p' "$S_KEY2")
R3=$(sed -n 's/^# public key: //p' "$S_DIR/key3")
ID1=$(keyid "$R1")
ID2=$(keyid "$R2")
ID3=$(keyid "$R3")

admin() { t_run "$ADMIN" -c "$S_CONF" "$@"; }
# No controlling terminal at all, whatever runs the tests.
admin_notty() { t_run setsid -w "$ADMIN" -c "$S_CONF" "$@"; }
# On a terminal (a pty from script), answering $1.
admin_tty() {
	local answer=$1 cmd
	shift
	cmd=$(printf '%q ' "$ADMIN" -c "$S_CONF" "$@")
	T_RC=0
	printf '%s\n' "$answer" | timeout -k 5 60 script -qec "$cmd" /dev/null \
	    >"$T_OUT" 2>"$T_ERR" || T_RC=$?
}
# check_rcpt NAME: the recipients directory holds only the file, mode 644.
check_rcpt() {
	t_check_dir "$1: no temporary file beside the recipients file" "$K" recipients.txt
	t_check_mode "$1: recipients file mode" 644 "$S_RCPT"
}
# check_unchanged NAME COPY: the recipients file is as it was.
rcpt_unchanged() {
	t_check_same "$1: recipients file unchanged" "$2" "$S_RCPT"
	t_check_dir "$1: no temporary file" "$K" recipients.txt
}
check_usage() {
	local c
	t_check_rc "$1" 2
	for c in "keys add" "keys list" "keys retire" "server-key init" \
	    "server-key show" "queue status" "queue export" "queue ack" "queue purge"; do
		grep -q "postern-admin \[-c CONFIG\] $c" "$T_ERR" ||
		    { t_fail "$1: usage names '$c'" "a line for it" "$(t_stderr)"; return; }
	done
	t_ok "$1: usage, one line per subcommand"
	t_check "$1: nothing on stdout" 0 "$(t_size "$T_OUT")"
}

# --- usage: exit 2 ------------------------------------------------------------
admin
check_usage "no arguments"
admin frobnicate list
check_usage "unknown command"
t_check_stderr_has "unknown command" 'unknown command "frobnicate"'
admin keys frobnicate
check_usage "unknown keys verb"
admin keys
check_usage "keys without a verb"
admin keys add
check_usage "keys add without a key"
admin keys add "$R1" "$R2"
check_usage "keys add with two arguments"
admin keys add -x "$R1"
check_usage "keys add, unknown flag"
admin keys list extra
check_usage "keys list with an argument"
admin keys retire
check_usage "keys retire without an id"
admin server-key init now
check_usage "server-key init with an argument"
t_check_absent "usage error: no recipients file" "$S_RCPT"

# --- the config ----------------------------------------------------------------
t_run "$ADMIN" -c "$T_TMP/no-such.conf" keys list
t_check_failure "missing config"
t_check_stderr_has "missing config" "no-such.conf"
printf 'listen = 127.0.0.1:1\nstate_dir = %s\n' "$S_STATE" >"$T_TMP/half.conf"
t_run "$ADMIN" -c "$T_TMP/half.conf" keys list
t_check_failure "config without recipients_file"

# --- keys list / add on an empty setup -----------------------------------------
admin keys list
t_check_rc "list, no recipients file yet" 0
t_check_match "list, no recipients file: says so" '^no keys in ' "$(t_stdout)"
t_check_absent "list creates no database" "$S_STATE/postern.db"

printf '# newsroom keys: one age1 line each\n\n' >"$S_RCPT"
chmod 644 "$S_RCPT"
cp "$S_RCPT" "$T_TMP/rcpt.0"

admin_notty keys add "$R1"
t_check_failure "add without a terminal and without -y"
t_check_stderr_has "add without a terminal" "no terminal.*-y"
rcpt_unchanged "add without a terminal" "$T_TMP/rcpt.0"

admin keys add -y "$R1"
t_check_rc "add -y" 0
t_check "add -y: says which key" "added key $ID1 $R1" "$(head -n 1 "$T_OUT")"
t_check_match "add -y: the key count" '^1 active key in .*: the next submission is encrypted to it$' \
    "$(sed -n 2p "$T_OUT")"
t_check "add -y: nothing on stderr" "" "$(t_stderr)"
t_check "add -y: the file keeps its comment and gains the key" \
    "$(printf '# newsroom keys: one age1 line each\n\n%s' "$R1")" "$(cat "$S_RCPT")"
check_rcpt "add -y"

cp "$S_RCPT" "$T_TMP/rcpt.1"
admin keys add "$R1" -y
t_check_failure "add a key already active"
t_check_stderr_has "add a key already active" "$ID1.*already active"
rcpt_unchanged "add a key already active" "$T_TMP/rcpt.1"

# Refusals that leave the file as it was.
secret=$(grep '^AGE-SECRET-KEY-' "$S_KEY1")
admin keys add -y "$S_KEY1"
t_check_failure "add an identity file"
t_check_stderr_has "add an identity file" "secret key"
if grep -qF "$secret" "$T_ERR"; then
	t_fail "add an identity file: the secret is not echoed" "no secret on stderr" "$(t_stderr)"
else
	t_ok "add an identity file: the secret is not echoed"
fi
rcpt_unchanged "add an identity file" "$T_TMP/rcpt.1"
admin keys add -y "$secret"
t_check_failure "add a secret key string"
rcpt_unchanged "add a secret key string" "$T_TMP/rcpt.1"
case ${R2: -1} in q) badsum=${R2%?}p ;; *) badsum=${R2%?}q ;; esac
admin keys add -y "$badsum"
t_check_failure "add a key with a bad checksum"
rcpt_unchanged "add a key with a bad checksum" "$T_TMP/rcpt.1"
printf '%s\n%s\n' "$R2" "$R2" >"$T_TMP/twice"
admin keys add -y "$T_TMP/twice"
t_check_failure "add a file listing a key twice"
t_check_stderr_has "add a file listing a key twice" "$ID2 is given twice"
rcpt_unchanged "add a file listing a key twice" "$T_TMP/rcpt.1"
printf '%s\nage1notakey\n' "$R2" >"$T_TMP/badline"
admin keys add -y "$T_TMP/badline"
t_check_failure "add a file with a bad line"
t_check_stderr_has "add a file with a bad line" "badline, line 2"
rcpt_unchanged "add a file with a bad line" "$T_TMP/rcpt.1"
admin keys add -y "$T_TMP/none"
t_check_failure "add a file that does not exist"
rcpt_unchanged "add a file that does not exist" "$T_TMP/rcpt.1"

# Another admin holds the lock (the flock on the directory) for 2 s.
flock "$K" sleep 2 &
lock_pid=$!
srv_bg "$lock_pid"
sleep 0.5
admin keys add -y "$R2"
t_check_failure "add while another admin changes the keys"
t_check_stderr_has "add while locked" "another postern-admin"
rcpt_unchanged "add while locked" "$T_TMP/rcpt.1"
wait "$lock_pid" 2>/dev/null
srv_bg_done "$lock_pid"

# The question on the terminal: "n" changes nothing, "y" adds.
printf '# from the journalist\n%s\n' "$R2" >"$T_TMP/r2.txt"
admin_tty n keys add "$T_TMP/r2.txt"
t_check_rc "add, answered n" 1
t_check_match "add, answered n: the question" "Add key $ID2 \\($R2\\)\\? \\[y/N\\]" "$(t_stdout)"
t_check_match "add, answered n: nothing added" "no key added" "$(t_stdout)"
rcpt_unchanged "add, answered n" "$T_TMP/rcpt.1"
admin_tty y keys add "$T_TMP/r2.txt"
t_check_rc "add, answered y" 0
t_check_match "add, answered y: the question" "Add key $ID2 \\($R2\\)\\? \\[y/N\\]" "$(t_stdout)"
t_check_match "add, answered y: added" "added key $ID2 $R2" "$(t_stdout)"
t_check "add, answered y: the file" \
    "$(printf '# newsroom keys: one age1 line each\n\n%s\n%s' "$R1" "$R2")" "$(cat "$S_RCPT")"
check_rcpt "add, answered y"

admin keys list
t_check_rc "list, two keys, no database" 0
t_check "list, two keys, no database" \
    "$(printf 'active   %s  %s  0 items\nactive   %s  %s  0 items' "$ID1" "$R1" "$ID2" "$R2")" \
    "$(t_stdout)"

# --- with a running posternd ---------------------------------------------------
srv_start || t_end
# upload NAME TEXT: one file; the submission's id in SUB.
upload() {
	local before f=$T_TMP/doc.txt
	before=$(sql 'SELECT id FROM submissions ORDER BY id')
	printf '%s\n' "$2" >"$f"
	srv_upload -F "message=$1" -F "files=@$f;filename=doc.txt"
	check_receipt "$1"
	SUB=$(sql 'SELECT id FROM submissions ORDER BY id' | grep -vxF -- "$before" | head -n 1)
}
# opens_with NAME KEY SUB: every item of SUB decrypts with KEY.
# fails_with NAME KEY SUB: no item of SUB decrypts with KEY.
dec_count() {
	local n=0 i
	for i in $(sql "SELECT id FROM items WHERE submission = '$2'"); do
		"$BIN" decrypt -i "$1" "$S_STATE/spool/$i.age" >/dev/null 2>&1 && n=$((n + 1))
	done
	echo "$n"
}

upload "before the rotation" "the first document"
SUB1=$SUB
t_check "first submission: encrypted to both keys" \
    "$(printf '%s\n%s\n' "$ID1" "$ID2" | sort | tr '\n' ' ')" \
    "$(sql "SELECT DISTINCT keyid FROM item_keys k JOIN items i ON i.id = k.item
        WHERE i.submission = '$SUB1' ORDER BY keyid" | sort | tr '\n' ' ')"
admin keys list
t_check "list counts the stored items of each key" \
    "$(printf 'active   %s  %s  2 items\nactive   %s  %s  2 items' "$ID1" "$R1" "$ID2" "$R2")" \
    "$(t_stdout)"

# Rotation: add key 3 (from age-keygen), retire key 1.
admin keys add -y "$R3"
t_check_rc "add a third key while posternd runs" 0
admin keys retire "$ID1"
t_check_rc "retire key 1" 0
t_check "retire: says which key" \
    "retired key $ID1 $R1: the next submission is not encrypted to it" "$(head -n 1 "$T_OUT")"
t_check "retire: the items still encrypted to it" \
    "2 stored items remain encrypted to it: still readable with the old identity" \
    "$(sed -n 2p "$T_OUT")"
today=$(date -u +%Y-%m-%d)
t_check "retire: the line becomes a dated comment" \
    "$(printf '# newsroom keys: one age1 line each\n\n#retired %s %s\n%s\n%s' "$R1" "$today" "$R2" "$R3")" \
    "$(cat "$S_RCPT")"
check_rcpt "retire"

upload "after the rotation" "the second document"
SUB2=$SUB
t_check "next submission, no restart: encrypted to keys 2 and 3 only" \
    "$(printf '%s\n%s\n' "$ID2" "$ID3" | sort | tr '\n' ' ')" \
    "$(sql "SELECT DISTINCT keyid FROM item_keys k JOIN items i ON i.id = k.item
        WHERE i.submission = '$SUB2'" | sort | tr '\n' ' ')"
t_check "next submission: opens with the new key (age-keygen's)" 2 "$(dec_count "$S_DIR/key3" "$SUB2")"
t_check "next submission: opens with key 2" 2 "$(dec_count "$S_KEY2" "$SUB2")"
t_check "next submission: does not open with the retired key" 0 "$(dec_count "$S_KEY1" "$SUB2")"
t_check "old submission: still opens with the retired key" 2 "$(dec_count "$S_KEY1" "$SUB1")"
t_check "old submission: does not open with the new key" 0 "$(dec_count "$S_DIR/key3" "$SUB1")"
f=$(sql "SELECT id FROM items WHERE submission = '$SUB2' AND kind = 'file'")
t_check "next submission: stock age opens it with the new key" "the second document" \
    "$(age -d -i "$S_DIR/key3" "$S_STATE/spool/$f.age" 2>&1)"

admin keys list
t_check "list after the rotation" \
    "$(printf 'retired  %s  %s  2 items  (retired %s)\nactive   %s  %s  4 items\nactive   %s  %s  2 items' \
        "$ID1" "$R1" "$today" "$ID2" "$R2" "$ID3" "$R3")" "$(t_stdout)"

# Refusals of retire.
cp "$S_RCPT" "$T_TMP/rcpt.2"
admin keys retire "$ID1"
t_check_failure "retire a retired key"
t_check_stderr_has "retire a retired key" "already retired"
rcpt_unchanged "retire a retired key" "$T_TMP/rcpt.2"
admin keys retire 0123456789abcdef
t_check_failure "retire an unknown id"
t_check_stderr_has "retire an unknown id" "no key with id 0123456789abcdef"
rcpt_unchanged "retire an unknown id" "$T_TMP/rcpt.2"
admin keys retire "${ID2:0:8}"
t_check_failure "retire a short id"
t_check_stderr_has "retire a short id" "not a key id"
rcpt_unchanged "retire a short id" "$T_TMP/rcpt.2"
admin keys retire "$ID3"
t_check_rc "retire key 3" 0
t_check_match "retire key 3: its items" '^2 stored items remain' "$(sed -n 2p "$T_OUT")"
cp "$S_RCPT" "$T_TMP/rcpt.3"
admin keys retire "$ID2"
t_check_failure "retire the last active key"
t_check_stderr_has "retire the last active key" "last active key"
rcpt_unchanged "retire the last active key" "$T_TMP/rcpt.3"

# Adding a retired key again re-activates it (one line, no stale comment).
admin keys add -y "$R1"
t_check_rc "add a retired key again" 0
t_check "add a retired key again: says so" "re-activated key $ID1 $R1 (retired $today)" \
    "$(head -n 1 "$T_OUT")"
t_check "add a retired key again: the file" \
    "$(printf '# newsroom keys: one age1 line each\n\n%s\n%s\n#retired %s %s' "$R1" "$R2" "$R3" "$today")" \
    "$(cat "$S_RCPT")"
check_rcpt "re-activate"
admin_tty y keys add "$R3"
t_check_rc "re-activate on the terminal" 0
t_check_match "re-activate on the terminal: the question says so" \
    "Key $ID3 was retired on $today; adding it re-activates it" "$(t_stdout)"

# A key id only the database knows (a key removed from the file by hand).
item=$(sql "SELECT id FROM items WHERE submission = '$SUB1' LIMIT 1")
sql "INSERT INTO item_keys (item, keyid) VALUES ('$item', 'feedfacecafebeef')" >/dev/null
admin keys list
t_check_rc "list with a key id only in the database" 0
t_check_match "list shows the key id only in the database" \
    '^unknown +feedfacecafebeef +- +1 item +\(not in the recipients file\)$' "$(tail -n 1 "$T_OUT")"

# A broken recipients file is never rewritten (posternd would refuse it too).
printf '%s\n  %s\n' "$R1" "$R2" >"$S_RCPT"
cp "$S_RCPT" "$T_TMP/rcpt.4"
admin keys add -y "$R3"
t_check_failure "add to a broken recipients file"
t_check_stderr_has "add to a broken recipients file" "line 2"
t_check_same "broken file: unchanged" "$T_TMP/rcpt.4" "$S_RCPT"
t_check_dir "broken file: no temporary file" "$K" recipients.txt

# A recipients file reached through a symlink: the target is rewritten,
# the link stays, the mode is kept (less group and other write).
printf '%s\n' "$R1" >"$K/real.txt"
chmod 664 "$K/real.txt"
ln -sf real.txt "$S_RCPT"
admin keys add -y "$R2"
t_check_rc "add through a symlink" 0
t_check "symlink: still a link" "real.txt" "$(readlink "$S_RCPT")"
t_check "symlink: the target gained the key" "$(printf '%s\n%s' "$R1" "$R2")" "$(cat "$K/real.txt")"
t_check_mode "symlink: mode kept, group write dropped" 644 "$K/real.txt"
t_check_dir "symlink: no temporary file" "$K" real.txt recipients.txt
srv_stop

# posternd reads at most 256 keys (keyfile.h): a 257th is refused.
rm -f "$S_RCPT" "$K/real.txt"
for _ in $(seq 1 257); do
	"$BIN" keygen --unprotected 2>&1 >/dev/null | sed -n 's/^Public key: //p'
done >"$T_TMP/many"
head -n 256 "$T_TMP/many" >"$S_RCPT"
chmod 644 "$S_RCPT"
cp "$S_RCPT" "$T_TMP/rcpt.5"
admin keys add -y "$(tail -n 1 "$T_TMP/many")"
t_check_failure "add a 257th key"
t_check_stderr_has "add a 257th key" "at most 256 keys"
rcpt_unchanged "add a 257th key" "$T_TMP/rcpt.5"

# --- server-key -----------------------------------------------------------------
admin server-key show
t_check_failure "show before init"
t_check_stderr_has "show before init" "server-key init"
admin server-key init
t_check_rc "init" 0
t_check_mode "init: the key file is mode 600" 600 "$S_STATE/server.key"
pub=$(sed -n 2p "$T_OUT")
t_check_match "init prints the public key" '^postern-server1[02-9ac-hj-np-z]{58}$' "$pub"
t_check "init prints the key id" "key id: $(keyid "$pub")" "$(sed -n 3p "$T_OUT")"
t_check "the file names the same public key" "# public key: $pub" \
    "$(grep '^# public key:' "$S_STATE/server.key")"
cp "$S_STATE/server.key" "$T_TMP/server.key"
admin server-key init
t_check_failure "init twice"
t_check_stderr_has "init twice" "already exists"
t_check_same "init twice: the key is unchanged" "$T_TMP/server.key" "$S_STATE/server.key"
admin server-key show
t_check_rc "show" 0
t_check "show: the public key and its id" "$(printf '%s\nkey id: %s' "$pub" "$(keyid "$pub")")" \
    "$(t_stdout)"
chmod 644 "$S_STATE/server.key"
admin server-key show
t_check_failure "show refuses a key file others can read"
chmod 600 "$S_STATE/server.key"
rm -rf "$T_TMP/nostate"
printf 'listen = 127.0.0.1:1\nstate_dir = %s/nostate\nrecipients_file = %s\n' "$T_TMP" "$S_RCPT" \
    >"$T_TMP/nostate.conf"
t_run "$ADMIN" -c "$T_TMP/nostate.conf" server-key init
t_check_failure "init without a state directory"
t_check_absent "init without a state directory: none made" "$T_TMP/nostate"

t_end
