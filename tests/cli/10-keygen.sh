#!/usr/bin/env bash
# postern-open keygen --unprotected: the identity file format, the public
# key and its key id on stderr with a warning that the file is not
# protected, -o creates the file O_EXCL mode 0600 and never overwrites
# anything. (Passphrase-protected identity files: 15-keygen-protected.sh.)
set -u
. tests/lib.sh
t_need_bin
t_need age age-keygen

RCPT_RE='age1[02-9ac-hj-np-z]{58}'
IDENT_RE='AGE-SECRET-KEY-1[02-9AC-HJ-NP-Z]{58}'
d=$(t_tmpdir)

# check_keyfile NAME FILE: three LF-terminated lines exactly as age-keygen
# writes them, a fresh timestamp, and a public key line that age-keygen -y
# derives from the secret key.
check_keyfile() {
	local name=$1 f=$2
	t_check "$name: three lines" 3 "$(wc -l <"$f" | tr -d ' ')"
	t_check "$name: ends with LF" "0a" "$(tail -c 1 "$f" | od -An -tx1 | tr -d ' \n')"
	local l1 l2 l3
	l1=$(sed -n 1p "$f")
	l2=$(sed -n 2p "$f")
	l3=$(sed -n 3p "$f")
	t_check_match "$name: line 1" '^# created: [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$' "$l1"
	t_check_match "$name: line 2" "^# public key: $RCPT_RE\$" "$l2"
	t_check_match "$name: line 3" "^$IDENT_RE\$" "$l3"
	# The timestamp is now, in UTC.
	local when now
	when=$(date -u -d "${l1#\# created: }" +%s 2>/dev/null || echo 0)
	now=$(date -u +%s)
	if [ $((now - when)) -ge -120 ] && [ $((now - when)) -le 300 ]; then
		t_ok "$name: created is now (UTC)"
	else
		t_fail "$name: created" "about $(date -u +%Y-%m-%dT%H:%M:%SZ)" "$l1"
	fi
	# Stock age agrees on the recipient of the secret key.
	t_check "$name: public key matches age-keygen -y" \
	    "${l2#\# public key: }" "$(age-keygen -y "$f" 2>&1)"
}

# --- keygen to stdout -------------------------------------------------------
t_run "$BIN" keygen --unprotected
t_check_rc "keygen to stdout" 0
cp "$T_OUT" "$d/stdout.key"
cp "$T_ERR" "$d/stdout.err"
check_keyfile "keygen to stdout" "$d/stdout.key"
pub=$(sed -n 's/^# public key: //p' "$d/stdout.key")
if grep -qxF "Public key: $pub" "$d/stdout.err"; then
	t_ok "keygen to stdout: 'Public key: age1...' on stderr"
else
	t_fail "keygen to stdout: stderr" "a line 'Public key: $pub'" "$(cat "$d/stdout.err")"
fi

# Two runs give two different keys.
t_run "$BIN" keygen --unprotected
t_check_rc "second keygen" 0
if [ "$(sed -n 3p "$T_OUT")" != "$(sed -n 3p "$d/stdout.key")" ] &&
    [ "$(sed -n 2p "$T_OUT")" != "$(sed -n 2p "$d/stdout.key")" ]; then
	t_ok "two keygens give two keys"
else
	t_fail "two keygens" "different keys" "the same key twice"
fi

# --- keygen -o FILE ---------------------------------------------------------
mkdir "$d/o"
t_run "$BIN" keygen --unprotected -o "$d/o/key.txt"
t_check_rc "keygen -o" 0
t_check "keygen -o: nothing on stdout" 0 "$(t_size "$T_OUT")"
check_keyfile "keygen -o" "$d/o/key.txt"
t_check_mode "keygen -o: mode 0600" 600 "$d/o/key.txt"
pub=$(sed -n 's/^# public key: //p' "$d/o/key.txt")
kid=$(printf '%s' "$pub" | sha256sum | cut -c 1-16)
t_check "keygen -o: stderr is a warning, the public key and its key id" \
    "$(printf 'postern-open: warning: %s is not protected by a passphrase: anyone who can read it can open what is sent to this key\nPublic key: %s\nKey id: %s' "$d/o/key.txt" "$pub" "$kid")" \
    "$(t_stderr)"
t_check_dir "keygen -o: no other file" "$d/o" key.txt

# The key works: stock age encrypts to it, postern-open decrypts.
printf 'hello\n' >"$d/o/msg"
age -r "$pub" -o "$d/msg.age" "$d/o/msg"
t_run "$BIN" decrypt -i "$d/o/key.txt" "$d/msg.age"
t_check_rc "decrypt with the new key" 0
t_check "decrypt with the new key: plaintext" hello "$(t_stdout)"

# Mode 0600 whatever the umask.
mkdir "$d/u"
t_run sh -c 'umask 000; exec "$0" "$@"' "$BIN" keygen --unprotected -o "$d/u/key.txt"
t_check_rc "keygen -o under umask 000" 0
t_check_mode "keygen -o under umask 000: mode 0600" 600 "$d/u/key.txt"

# --- keygen -o never overwrites ---------------------------------------------
cp -p "$d/o/key.txt" "$d/key.orig"
t_run "$BIN" keygen --unprotected -o "$d/o/key.txt"
t_check_failure "keygen -o existing key"
t_check_stderr_has "keygen -o existing key" "exist|overwrit|key\.txt"
t_check_same "keygen -o existing key: old key intact" "$d/key.orig" "$d/o/key.txt"
t_check_mode "keygen -o existing key: mode unchanged" 600 "$d/o/key.txt"
t_check_dir "keygen -o existing key: no other file" "$d/o" key.txt msg
t_check "keygen -o existing key: nothing on stdout" 0 "$(t_size "$T_OUT")"

# An existing empty file, of another mode, is not touched either.
mkdir "$d/e"
: >"$d/e/empty"
chmod 644 "$d/e/empty"
t_run "$BIN" keygen --unprotected -o "$d/e/empty"
t_check_failure "keygen -o existing empty file"
t_check "keygen -o existing empty file: still empty" 0 "$(t_size "$d/e/empty")"
t_check_mode "keygen -o existing empty file: mode unchanged" 644 "$d/e/empty"
t_check_dir "keygen -o existing empty file: no other file" "$d/e" empty

# A dangling symlink is an existing name: its target must not be created.
mkdir "$d/l"
ln -s "$d/l/target" "$d/l/link"
t_run "$BIN" keygen --unprotected -o "$d/l/link"
t_check_failure "keygen -o dangling symlink"
t_check_absent "keygen -o dangling symlink: target not created" "$d/l/target"
t_check_dir "keygen -o dangling symlink: no other file" "$d/l" link

# A symlink to an existing file: the file is not overwritten.
mkdir "$d/s"
printf 'precious\n' >"$d/s/target"
ln -s "$d/s/target" "$d/s/link"
t_run "$BIN" keygen --unprotected -o "$d/s/link"
t_check_failure "keygen -o symlink to a file"
t_check "keygen -o symlink to a file: target intact" precious "$(cat "$d/s/target")"

# A directory that does not exist.
t_run "$BIN" keygen --unprotected -o "$d/nonexistent/key.txt"
t_check_failure "keygen -o in a missing directory"
t_check_absent "keygen -o in a missing directory: nothing created" "$d/nonexistent"

# --- usage ------------------------------------------------------------------
t_run "$BIN" keygen --unprotected -x
t_check_usage "keygen -x (unknown flag)"
t_run "$BIN" keygen --unprotected extra
t_check_usage "keygen with an argument"
t_run "$BIN" keygen --unprotected --passphrase-fd 0
t_check_usage "keygen --unprotected with --passphrase-fd"

t_end
