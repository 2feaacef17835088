# tests/lib.sh — the little library every shell test sources.
# shellcheck shell=sh
#
#   . tests/lib.sh
#   t_run "$BIN" keygen -o "$d/key"
#   t_check "keygen exit status" 0 "$T_RC"
#   t_end
#
# Every check prints one line, "ok - NAME" or
# "not ok - NAME: expected 'X', got 'Y'". t_end prints the last line,
# "N passed, N failed", and exits 1 if anything failed.
#
# Scripts run from the repository root. Environment:
#   BUILD   build directory (default "build"); the binary is $BUILD/postern-open
#   SHARED  the shared folder (default "../shared")
#   T_TIMEOUT  seconds before a command run by t_run is killed (default 120)
#
# Written for bash and plain POSIX sh alike (no arrays, no [[ ]]).

BUILD=${BUILD:-build}
SHARED=${SHARED:-../shared}
BIN=$BUILD/postern-open
T_TIMEOUT=${T_TIMEOUT:-120}
T_ERR_PREFIX="postern-open: "

T_PASS=0
T_FAIL=0

# One scratch directory per script, removed however the script ends.
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/postern-test.XXXXXX") || {
	echo "not ok - mktemp -d failed"
	echo "0 passed, 1 failed"
	exit 1
}
trap 'rm -rf "$T_TMP"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# Where t_run leaves a command's standard output and error.
T_OUT=$T_TMP/run.stdout
T_ERR=$T_TMP/run.stderr
T_RC=0

# A value made printable on one line: newlines as \n, control bytes as
# cat -v shows them, cut at 300 characters.
_t_show() {
	printf '%s' "$1" | cat -v | awk 'NR > 1 { printf "\\n" } { printf "%s", $0 }' |
	    cut -c 1-300
}

t_ok() {
	T_PASS=$((T_PASS + 1))
	printf 'ok - %s\n' "$1"
}

# t_fail NAME EXPECTED GOT
t_fail() {
	T_FAIL=$((T_FAIL + 1))
	printf "not ok - %s: expected '%s', got '%s'\n" "$1" "$(_t_show "$2")" "$(_t_show "$3")"
}

# t_check NAME EXPECTED GOT: passes if the two strings are equal.
t_check() {
	if [ "$2" = "$3" ]; then t_ok "$1"; else t_fail "$1" "$2" "$3"; fi
}

# t_check_match NAME ERE STRING: passes if STRING matches the extended regex.
t_check_match() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then
		t_ok "$1"
	else
		t_fail "$1" "a match for /$2/" "$3"
	fi
}

# t_end: the final line, and the exit status.
t_end() {
	printf '%d passed, %d failed\n' "$T_PASS" "$T_FAIL"
	if [ "$T_FAIL" -eq 0 ]; then exit 0; fi
	exit 1
}

# t_tmpdir: prints the path of a fresh, empty directory inside $T_TMP
# (removed with it). Usage: d=$(t_tmpdir)
t_tmpdir() {
	mktemp -d "$T_TMP/d.XXXXXX"
}

# t_run CMD [ARG...]: runs a command with standard input from /dev/null;
# sets T_RC to its exit status and leaves its output in $T_OUT and $T_ERR.
# A command that runs longer than T_TIMEOUT seconds is killed (T_RC 124
# or 137).
t_run() {
	t_run_in /dev/null "$@"
}

# t_run_in FILE CMD [ARG...]: the same with standard input from FILE.
t_run_in() {
	_t_in=$1
	shift
	T_RC=0
	if command -v timeout >/dev/null 2>&1; then
		timeout -k 5 "$T_TIMEOUT" "$@" <"$_t_in" >"$T_OUT" 2>"$T_ERR" || T_RC=$?
	else
		"$@" <"$_t_in" >"$T_OUT" 2>"$T_ERR" || T_RC=$?
	fi
}

# The captured standard error and output (text), without the last newline.
t_stderr() { cat "$T_ERR"; }
t_stdout() { cat "$T_OUT"; }

# t_check_rc NAME EXPECTED: the exit status of the last t_run.
t_check_rc() {
	if [ "$T_RC" = "$2" ]; then
		t_ok "$1: exit status $2"
	else
		t_fail "$1: exit status" "$2" "$T_RC (stderr: $(t_stderr))"
	fi
}

# t_check_err1 NAME: standard error of the last t_run is exactly one
# LF-terminated line that starts with "postern-open: " and says something.
t_check_err1() {
	_t_lines=$(wc -l <"$T_ERR" | tr -d ' ')
	_t_recs=$(awk 'END { print NR }' "$T_ERR")
	_t_first=$(head -n 1 "$T_ERR")
	case $_t_first in
	"$T_ERR_PREFIX"?*) _t_pfx=1 ;;
	*) _t_pfx=0 ;;
	esac
	if [ "$_t_lines" = 1 ] && [ "$_t_recs" = 1 ] && [ "$_t_pfx" = 1 ]; then
		t_ok "$1: one line on stderr"
	else
		t_fail "$1: stderr" "one line '${T_ERR_PREFIX}...'" "$(t_stderr)"
	fi
}

# t_check_failure NAME: exit status 1 and one "postern-open: " line.
t_check_failure() {
	t_check_rc "$1" 1
	t_check_err1 "$1"
}

# t_check_usage NAME: exit status 2, a usage text on stderr naming the
# subcommands, nothing on stdout.
t_check_usage() {
	t_check_rc "$1" 2
	if grep -qi usage "$T_ERR" && grep -q keygen "$T_ERR" &&
	    grep -q encrypt "$T_ERR" && grep -q decrypt "$T_ERR"; then
		t_ok "$1: usage on stderr"
	else
		t_fail "$1: stderr" "a usage text naming keygen, encrypt, decrypt" "$(t_stderr)"
	fi
	t_check "$1: nothing on stdout" 0 "$(wc -c <"$T_OUT" | tr -d ' ')"
}

# t_check_stderr_has NAME ERE: stderr matches (case-insensitive).
t_check_stderr_has() {
	if grep -Eqi -- "$2" "$T_ERR"; then
		t_ok "$1: stderr mentions /$2/"
	else
		t_fail "$1: stderr" "a mention of /$2/" "$(t_stderr)"
	fi
}

# t_check_same NAME FILE1 FILE2: the two files are byte-for-byte equal.
t_check_same() {
	if cmp -s -- "$2" "$3"; then
		t_ok "$1"
	elif [ ! -f "$3" ]; then
		t_fail "$1" "$(t_size "$2") bytes equal to $2" "no file $3"
	else
		t_fail "$1" "$(t_size "$2") bytes equal to $2" \
		    "$(t_size "$3") bytes; $(cmp -- "$2" "$3" 2>&1 | head -n 1)"
	fi
}

# t_check_absent NAME PATH: nothing exists at PATH (not even a symlink).
t_check_absent() {
	if [ -e "$2" ] || [ -L "$2" ]; then
		t_fail "$1" "no $2" "$(ls -ld -- "$2")"
	else
		t_ok "$1"
	fi
}

# t_check_dir NAME DIR ENTRY...: DIR holds exactly the named entries
# (hidden ones included), so no temporary file was left behind.
t_check_dir() {
	_t_name=$1
	_t_dir=$2
	shift 2
	_t_want=$(for _t_e in "$@"; do printf '%s\n' "$_t_e"; done | LC_ALL=C sort | tr '\n' ' ')
	_t_got=$(cd "$_t_dir" && ls -A | LC_ALL=C sort | tr '\n' ' ')
	t_check "$_t_name" "$_t_want" "$_t_got"
}

# t_check_mode NAME OCTAL PATH: the permission bits of PATH.
t_check_mode() {
	t_check "$1" "$2" "$(stat -c %a -- "$3" 2>&1)"
}

# t_size FILE: its size in bytes.
t_size() {
	if [ -f "$1" ]; then wc -c <"$1" | tr -d ' '; else echo "(no file)"; fi
}

# t_need_bin: fail the whole script early if the binary was not built.
t_need_bin() {
	if [ ! -x "$BIN" ]; then
		t_fail "binary" "an executable $BIN (run make)" "missing"
		t_end
	fi
}

# t_need CMD...: fail the whole script early if a tool is missing.
t_need() {
	for _t_c in "$@"; do
		if ! command -v "$_t_c" >/dev/null 2>&1; then
			t_fail "tool $_t_c" "installed" "missing"
			t_end
		fi
	done
}
