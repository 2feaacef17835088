#!/usr/bin/env bash
# postern-clean, the stripper as a command: usage errors exit 2; a type
# with no cleaner exits 3 and writes no OUT; every other failure exits 1
# with one "postern-clean: " line on stderr and writes no OUT; plain text
# is passed through byte for byte; the --report JSON names the type, the
# format, the status, the removed fields and the warnings. No case leaves
# a ".postern-clean-*" temporary file beside OUT, and OUT is never
# replaced.
set -u
. tests/lib.sh
BIN=$BUILD/postern-clean
T_ERR_PREFIX="postern-clean: "
t_need_bin
t_need python3 qpdf zip
[ -x /usr/bin/convert ] || { t_fail "tool /usr/bin/convert" "installed" "missing"; t_end; }

d=$(t_tmpdir)
printf 'a plain text document\nwith two lines, MKBclitext\n' >"$d/plain.txt"

# jfield FILE KEY: a top-level field of a JSON file ("(missing)" if none,
# "(bad json)" if it does not parse); lists print as a JSON array.
jfield() {
	python3 -c '
import json, sys
try:
    r = json.load(open(sys.argv[1]))
except (OSError, ValueError):
    print("(bad json)"); sys.exit()
v = r.get(sys.argv[2], "(missing)") if isinstance(r, dict) else "(not an object)"
print(json.dumps(v) if isinstance(v, (list, dict)) or v is None else v)
' "$1" "$2"
}

# t_check_usage2 NAME: exit 2, "usage" on stderr, nothing on stdout.
t_check_usage2() {
	t_check_rc "$1" 2
	t_check_stderr_has "$1" "usage"
	t_check "$1: nothing on stdout" 0 "$(t_size "$T_OUT")"
}

# --- usage: exit 2 --------------------------------------------------------
t_run "$BIN"
t_check_usage2 "no arguments"
t_run "$BIN" "$d/plain.txt"
t_check_usage2 "IN without OUT"
od=$(t_tmpdir)
t_run "$BIN" "$d/plain.txt" "$od/out" --report
t_check_usage2 "--report without its FILE"
t_run "$BIN" "$d/plain.txt" "$od/out" --bogus "$od/r"
t_check_usage2 "unknown flag"
t_run "$BIN" "$d/plain.txt" "$od/out" "$od/extra"
t_check_usage2 "three operands"
t_check_dir "usage errors: nothing written" "$od"

# fails NAME IN [OUTDIR]: exit 1, one line, no OUT, no temp file, nothing
# on stdout.
fails() {
	local name=$1 in=$2 o=${3:-$(t_tmpdir)}
	t_run "$BIN" "$in" "$o/out.txt" --report "$o/r.json"
	t_check_failure "$name"
	t_check_absent "$name: no OUT" "$o/out.txt"
	t_check "$name: nothing on stdout" 0 "$(t_size "$T_OUT")"
	if ls -A "$o" | grep -q '^\.postern-clean-'; then
		t_fail "$name: no temp file" "none" "$(ls -A "$o")"
	else
		t_ok "$name: no temp file"
	fi
}

# --- inputs that cannot be read: exit 1 ------------------------------------
fails "missing IN" "$d/no-such-file"
t_check_stderr_has "missing IN" "no-such-file"
mkdir "$d/a-dir"
fails "IN is a directory" "$d/a-dir"

# --- OUT: never replaced, never followed -----------------------------------
od=$(t_tmpdir)
printf 'keep me\n' >"$od/out.txt"
t_run "$BIN" "$d/plain.txt" "$od/out.txt"
t_check_failure "OUT already exists"
t_check_stderr_has "OUT already exists" "exists"
t_check "OUT already exists: file intact" "keep me" "$(cat "$od/out.txt")"
t_check_dir "OUT already exists: no temp file" "$od" out.txt
od=$(t_tmpdir)
ln -s "$od/target" "$od/out.txt"
t_run "$BIN" "$d/plain.txt" "$od/out.txt"
t_check_failure "OUT is a dangling symlink"
t_check_dir "OUT is a dangling symlink: nothing created" "$od" out.txt
t_run "$BIN" "$d/plain.txt" "$d/no-such-dir/out.txt"
t_check_failure "OUT in a missing directory"
t_check_absent "OUT in a missing directory: nothing created" "$d/no-such-dir"

# An existing report file is not replaced either, and nothing is written.
od=$(t_tmpdir)
printf 'keep me\n' >"$od/r.json"
t_run "$BIN" "$d/plain.txt" "$od/out.txt" --report "$od/r.json"
t_check_failure "an existing report"
t_check_stderr_has "an existing report" "already exists"
t_check "an existing report: untouched" "keep me" "$(cat "$od/r.json")"
t_check_dir "an existing report: no OUT, no temp file" "$od" r.json

# --- plain text: passed through -------------------------------------------
od=$(t_tmpdir)
t_run "$BIN" "$d/plain.txt" "$od/out.txt" --report "$od/r.json"
t_check_rc "plain text" 0
t_check "plain text: nothing on stderr" "" "$(t_stderr)"
t_check "plain text: nothing on stdout" 0 "$(t_size "$T_OUT")"
t_check_same "plain text: identical bytes" "$d/plain.txt" "$od/out.txt"
t_check_dir "plain text: OUT and report, no temp file" "$od" out.txt r.json
t_check "plain text: report type" "text/plain" "$(jfield "$od/r.json" type)"
t_check "plain text: report format" "text" "$(jfield "$od/r.json" format)"
t_check "plain text: report status" "cleaned" "$(jfield "$od/r.json" status)"
t_check "plain text: report removed" "[]" "$(jfield "$od/r.json" removed)"
t_check "plain text: report warnings" "[]" "$(jfield "$od/r.json" warnings)"
t_check "plain text: no reason when cleaned" "(missing)" \
    "$(jfield "$od/r.json" reason)"
od=$(t_tmpdir)
t_run "$BIN" "$d/plain.txt" "$od/out.txt"
t_check_rc "plain text without --report" 0
t_check_dir "plain text without --report: OUT only" "$od" out.txt
: >"$d/empty.txt"
od=$(t_tmpdir)
t_run "$BIN" "$d/empty.txt" "$od/out.txt" --report "$od/r.json"
t_check "empty file: exit status 0, 1 or 3" 1 \
    "$(case $T_RC in 0|1|3) echo 1 ;; *) echo "$T_RC" ;; esac)"
if [ "$T_RC" = 0 ]; then
	t_check "empty file: OUT empty" 0 "$(t_size "$od/out.txt")"
else
	t_check_absent "empty file: no OUT" "$od/out.txt"
fi

# --- a name that disagrees with the content: noted, never trusted ---------
od=$(t_tmpdir)
cp "$d/plain.txt" "$d/looks-like.png"
t_run "$BIN" "$d/looks-like.png" "$od/out.png" --report "$od/r.json"
t_check_rc "text named .png" 0
t_check_same "text named .png: cleaned as text" "$d/plain.txt" "$od/out.png"
t_check "text named .png: format from the bytes" "text" \
    "$(jfield "$od/r.json" format)"
t_check_match "text named .png: a warning about the extension" \
    'extension' "$(jfield "$od/r.json" warnings)"
cp "$d/plain.txt" "$d/no-extension"
od=$(t_tmpdir)
t_run "$BIN" "$d/no-extension" "$od/out" --report "$od/r.json"
t_check "no extension: no warning" "[]" "$(jfield "$od/r.json" warnings)"

# --- unsupported types: exit 3, no OUT, the report says why ---------------
# unsupported NAME FILE: exit 3, a line on stderr, no OUT, report status.
unsupported() {
	local name=$1 in=$2 o
	o=$(t_tmpdir)
	last_report=$o/r.json
	t_run "$BIN" "$in" "$o/out" --report "$o/r.json"
	t_check_rc "$name" 3
	t_check_err1 "$name"
	t_check_dir "$name: report only, no OUT, no temp file" "$o" r.json
	t_check "$name: report status" "not supported" \
	    "$(jfield "$o/r.json" status)"
	t_check_match "$name: report type" '^[a-z]+/[-+.a-z0-9]+$' \
	    "$(jfield "$o/r.json" type)"
	t_check "$name: report removed" "[]" "$(jfield "$o/r.json" removed)"
}
head -c 4096 /dev/urandom >"$d/random.bin"
unsupported "random bytes" "$d/random.bin"
t_check "random bytes: type application/octet-stream" \
    "application/octet-stream" "$(jfield "$last_report" type)"
gzip -c "$d/plain.txt" >"$d/plain.gz"
unsupported "a gzip file" "$d/plain.gz"
printf '\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0\x3e\0' >"$d/elf"
head -c 2000 /dev/zero >>"$d/elf"
unsupported "an ELF header" "$d/elf"

# --- damaged files of supported types: exit 1, no OUT ----------------------
# For each type whose cleaner exists (the intact file cleans), a damaged
# copy must fail cleanly.
# damaged NAME INTACT DAMAGED
damaged() {
	local name=$1 ok_in=$2 bad=$3 o
	o=$(t_tmpdir)
	t_run "$BIN" "$ok_in" "$o/intact"
	t_check_rc "$name: the intact file cleans" 0
	o=$(t_tmpdir)
	t_run "$BIN" "$bad" "$o/out" --report "$o/r.json"
	t_check_failure "$name"
	t_check_dir "$name: report only, no OUT, no temp file" "$o" r.json
	t_check "$name: report status" "not cleaned" \
	    "$(jfield "$o/r.json" status)"
	t_check_match "$name: report reason" '.' "$(jfield "$o/r.json" reason)"
}
/usr/bin/convert -size 64x64 gradient:red-blue "$d/ok.png"
# Cut inside the IDAT chunk (its length says more than is left).
n=$(grep -abo IDAT "$d/ok.png" | head -n 1 | cut -d: -f1)
head -c $((n + 20)) "$d/ok.png" >"$d/cut.png"
damaged "PNG truncated mid-chunk" "$d/ok.png" "$d/cut.png"
/usr/bin/convert -size 64x64 gradient:red-blue "$d/ok.jpg"
head -c 30 "$d/ok.jpg" >"$d/cut.jpg"
damaged "JPEG truncated in its headers" "$d/ok.jpg" "$d/cut.jpg"
printf '%%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj 3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 9 9]>>endobj\ntrailer<</Root 1 0 R>>\n%%%%EOF\n' >"$d/raw.pdf"
qpdf "$d/raw.pdf" "$d/ok.pdf" 2>/dev/null
{ printf '%%PDF-1.7\n'; head -c 3000 /dev/urandom; } >"$d/garbage.pdf"
damaged "PDF of garbage" "$d/ok.pdf" "$d/garbage.pdf"
seq 1 3000 >"$d/numbers.txt"
(cd "$d" && zip -q ok.zip plain.txt numbers.txt)
# Its end record cut off: libmagic still sees a zip.
head -c $(($(t_size "$d/ok.zip") - 30)) "$d/ok.zip" >"$d/cut.zip"
damaged "ZIP without its end record" "$d/ok.zip" "$d/cut.zip"

# --- batch mode: -d DIR [--reports] IN... ---------------------------------
bd=$(t_tmpdir)
head -c 700 /dev/urandom >"$d/noise.bin"
printf '\0' | dd of="$d/noise.bin" bs=1 count=1 conv=notrunc 2>/dev/null
t_run "$BIN" -d "$bd" --reports "$d/plain.txt" "$d/noise.bin"
t_check_rc "batch: one cleaned, one unsupported" 3
t_check_stderr_has "batch: the unsupported file is named" "noise.bin: not supported"
t_check_same "batch: text passed through" "$d/plain.txt" "$bd/plain.txt"
t_check_dir "batch: outputs and reports, nothing else" "$bd" plain.txt \
    plain.txt.report.json noise.bin.report.json
t_check "batch: report of the cleaned file" "cleaned" \
    "$(jfield "$bd/plain.txt.report.json" status)"
t_check "batch: report of the unsupported file" "not supported" \
    "$(jfield "$bd/noise.bin.report.json" status)"
t_run "$BIN" -d "$bd" "$d/plain.txt"
t_check_failure "batch: an output that exists is not replaced"
t_check_same "batch: the existing output is untouched" "$d/plain.txt" \
    "$bd/plain.txt"
bd2=$(t_tmpdir)
t_run "$BIN" -d "$bd2" "$d/plain.txt" "$d/missing.txt"
t_check_failure "batch: a missing input fails the run"
t_check_dir "batch: the others are still cleaned" "$bd2" plain.txt
t_run "$BIN" -d "$bd2"
t_check_usage2 "batch: -d without inputs"

t_end
