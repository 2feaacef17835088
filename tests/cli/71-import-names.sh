#!/usr/bin/env bash
# postern-open import with hostile file names and malformed manifests.
# Names: folder parts (../../etc/passwd, C:\...), newlines, a bidi
# override (U+202E), a leading dot, an empty name, 300-byte names (ASCII
# and multi-byte, cut on a UTF-8 boundary to 200 bytes, the extension
# kept), duplicates (also differing only in case), and the names we use
# (message.txt, REPORT.txt). REPORT.txt shows the originals escaped.
# Manifests: each violation fails its submission only, leaving nothing.
set -u
. tests/lib.sh
. tests/cli/lib-import.sh
t_need_bin
t_need iconv
imp_setup

d=$(t_tmpdir)
printf 'x\n' >"$d/x"
long=$(printf 'a%.0s' $(seq 1 296))
euro=$(printf '\xe2\x82\xac%.0s' $(seq 1 100))
S=$(rid)
F=2026-12-01-${S:0:8}
n=0
# add JSONNAME: one file named so, its content its number.
add() {
	n=$((n + 1))
	printf 'file %d\n' "$n" >"$d/f$n"
	sub_file "$(rid)" "$1" "$d/f$n"
}
sub_new "$S" 2026-12-01T09
add '../../etc/passwd'                    # 1
add 'C:\\Users\\me\\Desktop\\plan.pdf'    # 2
add 'two\nlines.txt'                      # 3
add $'invoice\u202Efdp.exe'               # 4
add '.bashrc'                             # 5
add ''                                    # 6
add "$long.pdf"                           # 7
add "$euro"                               # 8
add 'same.txt'                            # 9
add 'same.txt'                            # 10
add 'SAME.TXT'                            # 11
add 'message.txt'                         # 12
add 'REPORT.txt'                          # 13
add '..'                                  # 14
add 'tab\there\u0007\u007f.txt'           # 15
add 'dir/'                                # 16
add $'rtl\u2067mark\u200f.txt'            # 17
add 'nul\u0000byte\u0085.txt'            # 18
sub_end 'names'
bundle_make
O=$d/out
t_run "$BIN" import "$BUNDLE" -i "$J1" -o "$O" --trust-file "$TF"
t_check_rc "hostile names: import" 0
cut200="${long:0:196}.pdf"
euro66=$(printf '\xe2\x82\xac%.0s' $(seq 1 66))
want=(passwd plan.pdf two_lines.txt invoice_fdp.exe _bashrc file "$cut200" "$euro66"
    same.txt "same (2).txt" "SAME (3).TXT" "message (2).txt" "REPORT (2).txt" _.
    tab_here__.txt file "rtl_mark_.txt" nul_byte_.txt)
# "dir/" has no name after its slash: "file", already taken by the empty
# name, so "file (2)".
want[15]="file (2)"
t_check_dir "hostile names: exactly the safe names" "$O/$F" "${want[@]}" \
    message.txt REPORT.txt
for i in $(seq 1 18); do
	t_check_same "hostile name $i: the right content under ${want[$((i - 1))]:0:40}" \
	    "$d/f$i" "$O/$F/${want[$((i - 1))]}"
done
t_check "nothing escaped the folder" "" \
    "$(find "$T_TMP" -name passwd ! -path "$O/$F/passwd")"
t_check "a 300-byte name is cut to 200 bytes" 200 "$(printf '%s' "$cut200" | wc -c)"
t_check "300 bytes of a 3-byte character: cut on a boundary" 198 "$(printf '%s' "$euro66" | wc -c)"
if printf '%s' "$euro66" | iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1; then
	t_ok "the cut name is valid UTF-8"
else
	t_fail "the cut name" "valid UTF-8" "invalid"
fi
t_check "no name in the folder starts with a dot" "" \
    "$(cd "$O/$F" && ls -A | grep '^\.')"
rep=$O/$F/REPORT.txt
t_check "report: a newline shown escaped" '  Original name:  "two\u000Alines.txt"' \
    "$(grep -F 'two\u000A' "$rep")"
t_check "report: the bidi override shown escaped" '  Original name:  "invoice\u202Efdp.exe"' \
    "$(grep -F 'invoice\u202E' "$rep")"
t_check "report: backslashes shown doubled" '  Original name:  "C:\\Users\\me\\Desktop\\plan.pdf"' \
    "$(grep -F 'Desktop' "$rep" | grep Original)"
t_check "report: tab, BEL and DEL escaped" '  Original name:  "tab\u0009here\u0007\u007F.txt"' \
    "$(grep -F 'tab\u0009' "$rep")"
t_check "report: no raw control or bidi character" "" \
    "$(LC_ALL=C grep -n "$(printf '[\001-\010\013-\037\177]')" "$rep")$(grep -n "$(printf '\xe2\x80\xae\|\xe2\x81\xa7\|\xe2\x80\x8f')" "$rep")"
t_check "report: a NUL and a C1 control escaped" '  Original name:  "nul\u0000byte\u0085.txt"' \
    "$(grep -F 'nul\u0000' "$rep")"
t_check "report: every file" 18 "$(grep -c '^  Saved as:' "$rep")"

# --- manifests that do not hold: that submission fails, nothing is left ------
# bad NAME JSON [two]: a submission whose manifest is JSON (with @S@ for
# its id, @I@ for its file item, and with "two" a second one, @J@), next
# to a good submission (whose file item is @G@).
bad() {
	local name=$1 json=$2 item item2 gitem good o
	item=$(rid)
	item2=$(rid)
	gitem=$(rid)
	good=$(rid)
	sub_new "$good" 2026-12-02T10
	sub_file "$gitem" "good.txt" "$d/x"
	sub_end 'good'
	local sb
	sb=$(rid)
	sub_new "$sb" 2026-12-02T11
	sub_file "$item" "f.txt" "$d/x"
	[ "${3:-}" = two ] && sub_file "$item2" "g.txt" "$d/x"
	printf '%s\n' "$json" | sed -e "s/@S@/$sb/g" -e "s/@I@/$item/g" \
	    -e "s/@J@/$item2/g" -e "s/@G@/$gitem/g" >"$d/m.json"
	sub_manifest_raw "$(rid)" "$d/m.json"
	bundle_make
	o=$(t_tmpdir)
	t_run "$BIN" import "$BUNDLE" -i "$J1" -o "$o" --trust-file "$TF"
	t_check_rc "$name: exit status 1" 1
	t_check "$name: one failure" 1 "$(grep -c "^postern-open: submission $sb: " "$T_ERR")"
	t_check_dir "$name: only the good submission, no temporary folder" "$o" \
	    "2026-12-02-${good:0:8}" .postern-imported "$(basename "$(t_stdout)")"
	t_check "$name: the receipt lists only the good one" "imported $good" \
	    "$(grep '^imported' "$(t_stdout)")"
}
F1='{"item":"@I@","name":"f.txt","size":2,"type":"text/plain","claimed_type":null,"cleaned":false,"report":"NOT CLEANED: x"}'
M='"format":"postern-manifest/1","submission":"@S@","received_hour":"2026-12-02T11:00:00Z","message":"m"'
bad "manifest: a file the bundle does not hold" "{$M,\"files\":[$F1,${F1/@I@/$(rid)}]}"
bad "manifest: a bundle file it does not list" "{$M,\"files\":[]}"
bad "manifest: the same file twice" "{$M,\"files\":[$F1,$F1]}" two
bad "manifest: its file, and another submission's" "{$M,\"files\":[$F1,${F1/@I@/@G@}]}" two
bad "manifest: another submission id" "{${M/@S@/$(rid)},\"files\":[$F1]}"
bad "manifest: another format" "{${M/manifest\/1/manifest\/2},\"files\":[$F1]}"
bad "manifest: not JSON" "{$M,\"files\":[$F1]"
bad "manifest: a duplicate key" "{$M,\"message\":\"again\",\"files\":[$F1]}"
bad "manifest: an array" "[{$M,\"files\":[$F1]}]"
bad "manifest: a bad hour" "{${M/T11:00:00Z/T11:30:00Z},\"files\":[$F1]}"
bad "manifest: size is a string" "{$M,\"files\":[${F1/\"size\":2/\"size\":\"2\"}]}"
bad "manifest: negative size" "{$M,\"files\":[${F1/\"size\":2/\"size\":-2}]}"
bad "manifest: cleaned missing" "{$M,\"files\":[${F1/\"cleaned\":false,/}]}"
bad "manifest: invalid UTF-8" "{$M,\"files\":[${F1/f.txt/$'\xff'.txt}]}"
# The stripper's outcome (docs/manifest.md): checked as strictly.
FN='{"item":"@I@","name":"f.txt","size":2,"type":"text/plain","claimed_type":null,"status":"not cleaned","removed":[],"warnings":[],"reason":"x","cleaned":false,"report":"NOT CLEANED: x"}'
FC='{"item":"@I@","name":"f.txt","size":2,"type":"text/plain","claimed_type":null,"status":"cleaned","removed":[{"field":"EXIF","count":1}],"warnings":["w"],"original_item":"@J@","cleaned":true,"report":"cleaned: removed EXIF"}'
bad "manifest: an unknown status" "{$M,\"files\":[${FN/not cleaned/dirty}]}"
bad "manifest: status and cleaned disagree" "{$M,\"files\":[${FN/\"cleaned\":false/\"cleaned\":true}]}"
bad "manifest: not cleaned, no reason" "{$M,\"files\":[${FN/\"reason\":\"x\",/}]}"
bad "manifest: removed is not an array" "{$M,\"files\":[${FN/\"removed\":[]/\"removed\":{}}]}"
bad "manifest: a warning that is not a string" "{$M,\"files\":[${FN/\"warnings\":[]/\"warnings\":[1]}]}"
bad "manifest: a removed count of 0" "{$M,\"files\":[${FC/\"count\":1/\"count\":0}]}" two
bad "manifest: a removed field without a name" "{$M,\"files\":[${FC/\"field\":\"EXIF\",/}]}" two
bad "manifest: the original is another submission's" "{$M,\"files\":[${FC/@J@/@G@}]}" two
bad "manifest: the original is the file itself" "{$M,\"files\":[${FC/@J@/@I@}]}"
bad "manifest: an original not in the bundle" "{$M,\"files\":[${FC/@J@/$(rid)}]}" two
bad "manifest: an original without a status" "{$M,\"files\":[${F1/\"cleaned\"/\"original_item\":\"@J@\",\"cleaned\"}]}" two
bad "manifest: a file that is also an original" "{$M,\"files\":[$FC,${FN/@I@/@J@}]}" two

# Two manifests for one submission: the index itself breaks
# docs/bundle.md, so the bundle is refused whole (72 has more such cases).
S2=$(rid)
sub_new "$S2" 2026-12-02T12
sub_file "$(rid)" "f.txt" "$d/x"
sub_end 'one'
sub_end 'two'
bundle_make
o=$(t_tmpdir)
t_run "$BIN" import "$BUNDLE" -i "$J1" -o "$o" --trust-file "$TF"
t_check_rc "two manifests for one submission" 1
t_check_stderr_has "two manifests for one submission" "index is malformed"
t_check_dir "two manifests for one submission: nothing written" "$o"

# A submission with a message and no file is fine.
S3=$(rid)
sub_new "$S3" 2026-12-02T13
sub_end 'only a message'
bundle_make
o=$(t_tmpdir)
t_run "$BIN" import "$BUNDLE" -i "$J1" -o "$o" --trust-file "$TF"
t_check_rc "a message and no file" 0
t_check_dir "a message and no file: message and report" "$o/2026-12-02-${S3:0:8}" \
    message.txt REPORT.txt
t_check "a message and no file: the message" "only a message" \
    "$(cat "$o/2026-12-02-${S3:0:8}/message.txt")"

t_end
