#!/usr/bin/env bash
# Interop with stock age (1.1.1): what postern-open encrypts, age decrypts;
# what age encrypts (binary and armored), postern-open decrypts; keys made
# by either tool work in the other. Plaintexts are compared byte for byte.
set -u
. tests/lib.sh
t_need_bin
t_need age age-keygen

d=$(t_tmpdir)
SIZES="0 1 65535 65536 65537 10485760"

# Keys: two from age-keygen, one from postern-open keygen.
age-keygen -o "$d/a1" 2>/dev/null
age-keygen -o "$d/a2" 2>/dev/null
t_run "$BIN" keygen --unprotected -o "$d/p1"
t_check_rc "postern-open keygen" 0
ra1=$(age-keygen -y "$d/a1")
ra2=$(age-keygen -y "$d/a2")
rp1=$(sed -n 's/^# public key: //p' "$d/p1")
if [ -z "$ra1" ] || [ -z "$ra2" ] || [ -z "$rp1" ]; then
	t_fail "set-up: three keys" "three recipients" "'$ra1' '$ra2' '$rp1'"
	t_end
fi

# --- postern-open keygen's identity file, read by age -------------------------
t_check "postern key: age-keygen -y agrees with '# public key:'" "$rp1" "$(age-keygen -y "$d/p1" 2>&1)"
t_check "postern key: stderr agrees with '# public key:'" "Public key: $rp1" "$(grep "^Public key: " "$T_ERR")"

for n in $SIZES; do
	head -c "$n" /dev/urandom >"$d/plain$n"
done

# age_decrypts NAME CIPHERTEXT IDENTITY PLAINTEXT
age_decrypts() {
	local rc=0
	age -d -i "$3" "$2" >"$d/out" 2>"$d/age.err" || rc=$?
	if [ "$rc" -ne 0 ]; then
		t_fail "$1" "age -d exit 0" "exit $rc: $(cat "$d/age.err")"
	else
		t_check_same "$1" "$4" "$d/out"
	fi
	rm -f "$d/out"
}

# postern_decrypts NAME CIPHERTEXT IDENTITY PLAINTEXT
postern_decrypts() {
	rm -f "$d/out"
	t_run "$BIN" decrypt -i "$3" -o "$d/out" "$2"
	if [ "$T_RC" -ne 0 ]; then
		t_fail "$1" "postern-open decrypt exit 0" "exit $T_RC: $(t_stderr)"
	else
		t_check_same "$1" "$4" "$d/out"
	fi
	rm -f "$d/out"
}

# --- postern-open encrypts, age decrypts ------------------------------------
for n in $SIZES; do
	t_run "$BIN" encrypt -r "$ra1" -o "$d/pe1.age" "$d/plain$n"
	t_check_rc "postern encrypt $n bytes to 1 recipient" 0
	age_decrypts "postern -> age, $n bytes, 1 recipient" "$d/pe1.age" "$d/a1" "$d/plain$n"

	t_run "$BIN" encrypt -r "$ra1" -r "$ra2" -r "$rp1" -o "$d/pe3.age" "$d/plain$n"
	t_check_rc "postern encrypt $n bytes to 3 recipients" 0
	for k in a1 a2 p1; do
		age_decrypts "postern -> age, $n bytes, 3 recipients, identity $k" \
		    "$d/pe3.age" "$d/$k" "$d/plain$n"
	done
	rm -f "$d/pe1.age" "$d/pe3.age"
done

# To postern-open's own key, through stdin and stdout on both sides.
t_run_in "$d/plain65537" "$BIN" encrypt -r "$rp1"
t_check_rc "postern encrypt stdin to stdout" 0
rc=0
age -d -i "$d/p1" <"$T_OUT" >"$d/out" 2>"$d/age.err" || rc=$?
t_check "age -d -i <postern key> on stdin: exit status" 0 "$rc"
t_check_same "age -d -i <postern key> on stdin: plaintext" "$d/plain65537" "$d/out"

# --- age encrypts, postern-open decrypts ------------------------------------
for n in $SIZES; do
	age -r "$ra1" -o "$d/ae1.age" "$d/plain$n"
	postern_decrypts "age -> postern, $n bytes, 1 recipient" "$d/ae1.age" "$d/a1" "$d/plain$n"
	age -r "$ra1" -r "$ra2" -r "$rp1" -o "$d/ae3.age" "$d/plain$n"
	for k in a1 a2 p1; do
		postern_decrypts "age -> postern, $n bytes, 3 recipients, identity $k" \
		    "$d/ae3.age" "$d/$k" "$d/plain$n"
	done
	rm -f "$d/ae1.age" "$d/ae3.age"
done

# Armored (age -a).
for n in 0 65536 65537 10485760; do
	age -a -r "$ra1" -o "$d/aa.age" "$d/plain$n"
	postern_decrypts "age -a -> postern, $n bytes" "$d/aa.age" "$d/a1" "$d/plain$n"
	rm -f "$d/aa.age"
done

# age -e -i: to the recipient of postern-open's identity file.
age -e -i "$d/p1" -o "$d/ai.age" "$d/p1"
postern_decrypts "age -e -i <postern key> -> postern" "$d/ai.age" "$d/p1" "$d/p1"

# age | postern, stdin to stdout.
age -r "$ra2" <"$d/plain65535" >"$d/ap.age"
t_run_in "$d/ap.age" "$BIN" decrypt -i "$d/a2"
t_check_rc "age | postern decrypt (stdin)" 0
t_check_same "age | postern decrypt (stdin): plaintext" "$d/plain65535" "$T_OUT"

t_end
