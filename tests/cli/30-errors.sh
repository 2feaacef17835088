#!/usr/bin/env bash
# postern-open failures: usage errors exit 2 with the usage text; every
# other failure exits 1 with one "postern-open: " line on stderr, and
# leaves no output file and no temporary file beside it.
set -u
. tests/lib.sh
t_need_bin
t_need age-keygen

d=$(t_tmpdir)
"$BIN" keygen --unprotected -o "$d/k1" 2>/dev/null
"$BIN" keygen --unprotected -o "$d/k2" 2>/dev/null
r1=$(sed -n 's/^# public key: //p' "$d/k1")
if [ -z "$r1" ]; then
	t_fail "set-up: keygen" "a recipient" "none"
	t_end
fi
printf 'a secret document\n' >"$d/plain"

# --- usage errors: exit 2 ---------------------------------------------------
t_run "$BIN"
t_check_usage "no arguments"
t_run "$BIN" frobnicate
t_check_usage "unknown subcommand"
t_run "$BIN" encrypt --bogus -r "$r1" "$d/plain"
t_check_usage "encrypt, unknown flag"
t_run "$BIN" decrypt -z -i "$d/k1" "$d/plain"
t_check_usage "decrypt, unknown flag"
t_run "$BIN" encrypt "$d/plain"
t_check_usage "encrypt without -r"
t_run "$BIN" encrypt -o "$d/never" "$d/plain"
t_check_usage "encrypt -o without -r"
t_check_absent "encrypt -o without -r: no OUT" "$d/never"
t_run "$BIN" decrypt "$d/plain"
t_check_usage "decrypt without -i"
t_run "$BIN" encrypt -r
t_check_usage "encrypt -r without its argument"
t_run "$BIN" decrypt -i
t_check_usage "decrypt -i without its argument"

# --- bad recipients: exit 1, a clear message, no OUT ------------------------
bad_last=${r1%?}
case ${r1: -1} in q) bad_last=${bad_last}p ;; *) bad_last=${bad_last}q ;; esac
secret=$(grep '^AGE-SECRET-KEY-' "$d/k1")
i=0
for bad in notarecipient "$bad_last" age1 "$secret" \
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGsy8f2MFyvXm6JEEwg0jVCHQi7VyvlEbh6KpaTOt0Ee"; do
	i=$((i + 1))
	od_=$(t_tmpdir)
	t_run "$BIN" encrypt -r "$bad" -o "$od_/out.age" "$d/plain"
	t_check_failure "bad recipient $i ($(printf %.20s "$bad")...)"
	t_check_stderr_has "bad recipient $i" "recipient"
	t_check_dir "bad recipient $i: no OUT, no temp file" "$od_"
done

# A bad recipient after a good one still fails, and writes nothing to stdout.
t_run "$BIN" encrypt -r "$r1" -r "$bad_last" "$d/plain"
t_check_failure "good then bad recipient"
t_check "good then bad recipient: nothing on stdout" 0 "$(t_size "$T_OUT")"

# Recipients files: missing, or with a bad line.
od_=$(t_tmpdir)
t_run "$BIN" encrypt -R "$d/no-such-file" -o "$od_/out.age" "$d/plain"
t_check_failure "missing recipients file"
t_check_dir "missing recipients file: no OUT" "$od_"
printf '# keys\n%s\nage1bogus\n' "$r1" >"$d/bad-recipients.txt"
t_run "$BIN" encrypt -R "$d/bad-recipients.txt" -o "$od_/out.age" "$d/plain"
t_check_failure "recipients file with a bad line"
t_check_dir "recipients file with a bad line: no OUT" "$od_"

# Input that does not exist.
t_run "$BIN" encrypt -r "$r1" -o "$od_/out.age" "$d/no-such-input"
t_check_failure "encrypt a missing input"
t_check_dir "encrypt a missing input: no OUT" "$od_"

# Input that cannot be read (a directory).
mkdir "$d/a-dir"
t_run "$BIN" encrypt -r "$r1" -o "$od_/out.age" "$d/a-dir"
t_check_failure "encrypt a directory"
t_check_dir "encrypt a directory: no OUT" "$od_"

# Output that cannot be written: a full disk is a failure, not a success.
if [ -w /dev/full ]; then
	T_RC=0
	"$BIN" encrypt -r "$r1" "$d/plain" >/dev/full 2>"$T_ERR" || T_RC=$?
	t_check_failure "encrypt to a full disk (stdout /dev/full)"
fi

# --- decrypt failures -------------------------------------------------------
# A 200000-byte plaintext: three full 64 KiB chunks and a short last one.
head -c 200000 /dev/urandom >"$d/p"
"$BIN" encrypt -r "$r1" -o "$d/ct" "$d/p"
size=$(t_size "$d/ct")
hl=$(($(grep -a -b -m 1 '^--- ' "$d/ct" | cut -d: -f1) + 48))
if [ "$size" -ne $((hl + 16 + 200000 + 4 * 16)) ]; then
	t_fail "set-up: ciphertext size" $((hl + 16 + 200000 + 4 * 16)) "$size"
fi
t_run "$BIN" decrypt -i "$d/k1" "$d/ct"
t_check_rc "set-up: the intact file decrypts" 0

# fails_to_decrypt NAME FILE [IDENTITY]: exit 1, one line, and -o leaves
# neither OUT nor a temporary file.
fails_to_decrypt() {
	local name=$1 f=$2 id=${3:-$d/k1} od
	od=$(t_tmpdir)
	t_run "$BIN" decrypt -i "$id" -o "$od/out" "$f"
	t_check_failure "$name"
	t_check_dir "$name: no OUT, no temp file" "$od"
	t_check "$name: nothing on stdout" 0 "$(t_size "$T_OUT")"
}

# flip FILE OFFSET OUT: a copy of FILE with one byte XORed with 0x01.
flip() {
	local b
	cp "$1" "$3"
	b=$(od -An -tu1 -j "$2" -N 1 "$1" | tr -d ' ')
	printf "\\$(printf %03o $((b ^ 1)))" |
	    dd of="$3" bs=1 seek="$2" conv=notrunc status=none
}

# Wrong identity.
fails_to_decrypt "wrong identity" "$d/ct" "$d/k2"
t_run "$BIN" decrypt -i "$d/k2" "$d/ct"
t_check "wrong identity to stdout: nothing on stdout" 0 "$(t_size "$T_OUT")"
age-keygen -o "$d/ka" 2>/dev/null
fails_to_decrypt "wrong identity (age-keygen key)" "$d/ct" "$d/ka"

# Truncations.
head -c $((size / 2)) "$d/ct" >"$d/t-half"
fails_to_decrypt "truncated mid-file" "$d/t-half"
head -c 40 "$d/ct" >"$d/t-header"
fails_to_decrypt "truncated in the header" "$d/t-header"
head -c "$hl" "$d/ct" >"$d/t-nononce"
fails_to_decrypt "truncated after the header (no nonce)" "$d/t-nononce"
head -c $((hl + 16)) "$d/ct" >"$d/t-nopayload"
fails_to_decrypt "truncated after the nonce (no payload)" "$d/t-nopayload"
head -c $((hl + 16 + 65552)) "$d/ct" >"$d/t-chunk1"
fails_to_decrypt "truncated after the first full chunk" "$d/t-chunk1"
head -c $((hl + 16 + 3 * 65552)) "$d/ct" >"$d/t-chunk3"
fails_to_decrypt "truncated before the last chunk" "$d/t-chunk3"
head -c $((size - 1)) "$d/ct" >"$d/t-lastbyte"
fails_to_decrypt "last byte cut off" "$d/t-lastbyte"

# Trailing data after the final chunk.
{ cat "$d/ct"; printf 'x'; } >"$d/t-trailing"
fails_to_decrypt "one byte after the final chunk" "$d/t-trailing"

# Flipped bytes: header stanza, header MAC, nonce, first chunk, last chunk.
flip "$d/ct" 40 "$d/f-stanza"
fails_to_decrypt "flipped byte in the stanza line" "$d/f-stanza"
flip "$d/ct" $((hl - 70)) "$d/f-body"
fails_to_decrypt "flipped byte in the stanza body" "$d/f-body"
flip "$d/ct" $((hl - 10)) "$d/f-mac"
fails_to_decrypt "flipped byte in the header MAC" "$d/f-mac"
flip "$d/ct" $((hl + 3)) "$d/f-nonce"
fails_to_decrypt "flipped byte in the payload nonce" "$d/f-nonce"
flip "$d/ct" $((hl + 16 + 1000)) "$d/f-chunk1"
fails_to_decrypt "flipped byte in the first chunk" "$d/f-chunk1"
flip "$d/ct" $((size - 1)) "$d/f-last"
fails_to_decrypt "flipped byte in the last chunk's tag" "$d/f-last"

# Garbage.
head -c 5000 /dev/urandom >"$d/g-random"
fails_to_decrypt "random bytes" "$d/g-random"
printf 'hello, world\n' >"$d/g-text"
fails_to_decrypt "plain text" "$d/g-text"
: >"$d/g-empty"
fails_to_decrypt "empty input" "$d/g-empty"
printf -- '-----BEGIN AGE ENCRYPTED FILE-----\nnot base64 at all!\n-----END AGE ENCRYPTED FILE-----\n' >"$d/g-armor"
fails_to_decrypt "broken armor" "$d/g-armor"
printf 'age-encryption.org/v1\n-> X25519 garbage\n--- nothing\n' >"$d/g-header"
fails_to_decrypt "broken header" "$d/g-header"
t_run "$BIN" decrypt -i "$d/k1" "$d/g-random"
t_check_failure "random bytes on stdin"

# Input that does not exist, or is a directory.
fails_to_decrypt "decrypt a missing input" "$d/no-such-input"
fails_to_decrypt "decrypt a directory" "$d/a-dir"

# Output that cannot be written.
if [ -w /dev/full ]; then
	T_RC=0
	"$BIN" decrypt -i "$d/k1" "$d/ct" >/dev/full 2>"$T_ERR" || T_RC=$?
	t_check_failure "decrypt to a full disk (stdout /dev/full)"
fi

# --- identity files that are not -------------------------------------------
fails_to_decrypt "missing identity file" "$d/ct" "$d/no-such-key"
printf 'this is not a key\n' >"$d/garbage-key"
fails_to_decrypt "identity file of garbage" "$d/ct" "$d/garbage-key"
printf '%s\n' "$r1" >"$d/recipient-as-key"
fails_to_decrypt "identity file holding a recipient" "$d/ct" "$d/recipient-as-key"
: >"$d/empty-key"
fails_to_decrypt "empty identity file" "$d/ct" "$d/empty-key"

# --- decrypt -o never overwrites --------------------------------------------
od_=$(t_tmpdir)
printf 'keep me\n' >"$od_/out"
t_run "$BIN" decrypt -i "$d/k1" -o "$od_/out" "$d/ct"
t_check_failure "decrypt -o onto an existing file"
t_check "decrypt -o onto an existing file: file intact" "keep me" "$(cat "$od_/out")"
t_check_dir "decrypt -o onto an existing file: no temp file" "$od_" out

# Nor through a dangling symlink.
od_=$(t_tmpdir)
ln -s "$od_/target" "$od_/link"
t_run "$BIN" decrypt -i "$d/k1" -o "$od_/link" "$d/ct"
t_check_failure "decrypt -o onto a dangling symlink"
t_check_dir "decrypt -o onto a dangling symlink: nothing created" "$od_" link

# A directory that does not exist.
t_run "$BIN" decrypt -i "$d/k1" -o "$d/no-such-dir/out" "$d/ct"
t_check_failure "decrypt -o into a missing directory"
t_check_absent "decrypt -o into a missing directory: nothing created" "$d/no-such-dir"

t_end
