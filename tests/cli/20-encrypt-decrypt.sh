#!/usr/bin/env bash
# postern-open encrypt / decrypt round trips: files and stdin/stdout, empty
# and chunk-boundary sizes, several recipients, recipients files with
# comments, identity files with several keys, age-keygen identity files and
# armored input from stock age.
set -u
. tests/lib.sh
t_need_bin
t_need age age-keygen

d=$(t_tmpdir)

# Keys: two from postern-open, one from stock age-keygen.
"$BIN" keygen --unprotected -o "$d/k1" 2>/dev/null
"$BIN" keygen --unprotected -o "$d/k2" 2>/dev/null
age-keygen -o "$d/ka" 2>/dev/null
r1=$(sed -n 's/^# public key: //p' "$d/k1")
r2=$(sed -n 's/^# public key: //p' "$d/k2")
ra=$(age-keygen -y "$d/ka")
if [ -z "$r1" ] || [ -z "$r2" ] || [ -z "$ra" ]; then
	t_fail "set-up: three keys" "three recipients" "'$r1' '$r2' '$ra'"
	t_end
fi

# header_len FILE: bytes up to and including the header's MAC line
# ("--- " + 43 base64 characters + LF).
header_len() {
	local off
	off=$(grep -a -b -m 1 '^--- ' "$1" | cut -d: -f1)
	echo $((${off:-0} + 48))
}

# payload_size N: STREAM payload size for N plaintext bytes: nonce, the
# bytes, a 16-byte tag per 64 KiB chunk, and at least one chunk.
payload_size() {
	local n=$1 chunks
	chunks=$(((n + 65535) / 65536))
	[ "$chunks" -eq 0 ] && chunks=1
	echo $((16 + n + 16 * chunks))
}

# stanzas FILE: how many X25519 stanzas the header holds.
stanzas() {
	head -c "$(header_len "$1")" "$1" | grep -a -c '^-> X25519 '
}

# --- file to file, sizes around the 64 KiB chunk ----------------------------
for n in 0 1 65535 65536 65537 200000; do
	head -c "$n" /dev/urandom >"$d/p$n"
	od_=$(t_tmpdir)
	t_run "$BIN" encrypt -r "$r1" -o "$od_/ct" "$d/p$n"
	t_check_rc "encrypt $n bytes" 0
	t_check "encrypt $n bytes: quiet" "" "$(t_stderr)"
	t_check "encrypt $n bytes: nothing on stdout" 0 "$(t_size "$T_OUT")"
	t_check_dir "encrypt $n bytes: only OUT in its directory" "$od_" ct
	t_check "encrypt $n bytes: starts like an age file" \
	    "age-encryption.org/v1" "$(head -n 1 "$od_/ct")"
	t_check "encrypt $n bytes: one X25519 stanza" 1 "$(stanzas "$od_/ct")"
	hl=$(header_len "$od_/ct")
	t_check "encrypt $n bytes: STREAM payload size" \
	    "$(payload_size "$n")" $(($(t_size "$od_/ct") - hl))

	pd=$(t_tmpdir)
	t_run "$BIN" decrypt -i "$d/k1" -o "$pd/plain" "$od_/ct"
	t_check_rc "decrypt $n bytes" 0
	t_check "decrypt $n bytes: quiet" "" "$(t_stderr)"
	t_check_same "decrypt $n bytes: round trip" "$d/p$n" "$pd/plain"
	t_check_dir "decrypt $n bytes: only OUT in its directory" "$pd" plain
done

# One recipient, empty input: exactly the 200 bytes stock age writes.
t_run "$BIN" encrypt -r "$r1" "$d/p0"
t_check "empty input: 200-byte file" 200 "$(t_size "$T_OUT")"

# Encryption is randomised: the same input twice gives two files.
"$BIN" encrypt -r "$r1" -o "$d/same1" "$d/p1"
"$BIN" encrypt -r "$r1" -o "$d/same2" "$d/p1"
if cmp -s "$d/same1" "$d/same2"; then
	t_fail "encrypt twice" "two different files" "identical files"
else
	t_ok "encrypt twice gives two different files"
fi

# --- stdin / stdout ---------------------------------------------------------
head -c 300000 /dev/urandom >"$d/big"
t_run_in "$d/big" "$BIN" encrypt -r "$r1"
t_check_rc "encrypt stdin to stdout" 0
cp "$T_OUT" "$d/big.age"
t_check "encrypt stdin to stdout: age file" "age-encryption.org/v1" "$(head -n 1 "$d/big.age")"
t_run_in "$d/big.age" "$BIN" decrypt -i "$d/k1"
t_check_rc "decrypt stdin to stdout" 0
t_check_same "stdin/stdout round trip" "$d/big" "$T_OUT"

t_run_in "$d/p0" "$BIN" encrypt -r "$r1"
t_check_rc "encrypt empty stdin" 0
cp "$T_OUT" "$d/empty.age"
t_run_in "$d/empty.age" "$BIN" decrypt -i "$d/k1"
t_check_rc "decrypt empty stdin" 0
t_check "empty stdin/stdout round trip" 0 "$(t_size "$T_OUT")"

# Mixed: file to stdout, then stdin to -o.
t_run "$BIN" encrypt -r "$r1" "$d/p65537"
cp "$T_OUT" "$d/mixed.age"
pd=$(t_tmpdir)
t_run_in "$d/mixed.age" "$BIN" decrypt -i "$d/k1" -o "$pd/plain"
t_check_rc "decrypt stdin to -o" 0
t_check_same "file->stdout, stdin->-o round trip" "$d/p65537" "$pd/plain"

# --- several recipients -----------------------------------------------------
t_run "$BIN" encrypt -r "$r1" -r "$r2" -r "$ra" -o "$d/three.age" "$d/p65537"
t_check_rc "encrypt to three -r" 0
t_check "encrypt to three -r: three stanzas" 3 "$(stanzas "$d/three.age")"
for k in k1 k2 ka; do
	t_run "$BIN" decrypt -i "$d/$k" "$d/three.age"
	t_check_rc "three recipients, decrypt with $k" 0
	t_check_same "three recipients, $k: plaintext" "$d/p65537" "$T_OUT"
done

# --- recipients file with comments and blank lines --------------------------
{
	printf '# Postern recipients\n\n'
	printf '%s\n' "$r1"
	printf '# the second editor\n'
	printf '%s\n\n' "$r2"
	printf '# end\n'
} >"$d/recipients.txt"
t_run "$BIN" encrypt -R "$d/recipients.txt" -o "$d/rfile.age" "$d/p1"
t_check_rc "encrypt -R file with comments" 0
t_check "encrypt -R: two stanzas" 2 "$(stanzas "$d/rfile.age")"
for k in k1 k2; do
	t_run "$BIN" decrypt -i "$d/$k" "$d/rfile.age"
	t_check_rc "encrypt -R, decrypt with $k" 0
	t_check_same "encrypt -R, $k: plaintext" "$d/p1" "$T_OUT"
done
t_run "$BIN" decrypt -i "$d/ka" "$d/rfile.age"
t_check_failure "encrypt -R: a key not in the file does not open it"

# -r and -R together add up.
t_run "$BIN" encrypt -r "$ra" -R "$d/recipients.txt" -o "$d/rboth.age" "$d/p1"
t_check_rc "encrypt -r with -R" 0
t_check "encrypt -r with -R: three stanzas" 3 "$(stanzas "$d/rboth.age")"
t_run "$BIN" decrypt -i "$d/ka" "$d/rboth.age"
t_check_rc "encrypt -r with -R, decrypt with ka" 0
t_check_same "encrypt -r with -R, ka: plaintext" "$d/p1" "$T_OUT"

# --- identity files ---------------------------------------------------------
# Several keys in one file, the second matches.
{
	cat "$d/k2"
	printf '\n# the key that matches\n'
	grep '^AGE-SECRET-KEY-' "$d/k1"
} >"$d/ids.txt"
t_run "$BIN" encrypt -r "$r1" -o "$d/only1.age" "$d/p65536"
t_run "$BIN" decrypt -i "$d/ids.txt" "$d/only1.age"
t_check_rc "identity file with two keys, second matches" 0
t_check_same "identity file with two keys: plaintext" "$d/p65536" "$T_OUT"

# Several -i, the second matches.
t_run "$BIN" decrypt -i "$d/k2" -i "$d/ka" -i "$d/k1" "$d/only1.age"
t_check_rc "three -i, the third matches" 0
t_check_same "three -i: plaintext" "$d/p65536" "$T_OUT"

# Two age-keygen files concatenated, as people do.
age-keygen 2>/dev/null >"$d/ka2"
cat "$d/ka2" "$d/ka" >"$d/ka-both"
t_run "$BIN" encrypt -r "$ra" -o "$d/toa.age" "$d/p200000"
t_run "$BIN" decrypt -i "$d/ka-both" "$d/toa.age"
t_check_rc "two age-keygen files concatenated" 0
t_check_same "two age-keygen files concatenated: plaintext" "$d/p200000" "$T_OUT"

# An identity file made by age-keygen, as it is.
t_run "$BIN" decrypt -i "$d/ka" "$d/toa.age"
t_check_rc "age-keygen identity file" 0
t_check_same "age-keygen identity file: plaintext" "$d/p200000" "$T_OUT"

# --- armored input from stock age -------------------------------------------
for n in 0 1 65536 65537; do
	age -a -r "$r1" -o "$d/arm$n.age" "$d/p$n"
	pd=$(t_tmpdir)
	t_run "$BIN" decrypt -i "$d/k1" -o "$pd/plain" "$d/arm$n.age"
	t_check_rc "armored (age -a) $n bytes" 0
	t_check_same "armored (age -a) $n bytes: plaintext" "$d/p$n" "$pd/plain"
	t_check_dir "armored (age -a) $n bytes: only OUT in its directory" "$pd" plain
done
t_run_in "$d/arm65537.age" "$BIN" decrypt -i "$d/k1"
t_check_rc "armored on stdin" 0
t_check_same "armored on stdin: plaintext" "$d/p65537" "$T_OUT"

t_end
