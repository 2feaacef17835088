#!/usr/bin/env bash
# tests/fuzz/run.sh — build the libFuzzer targets and run each for a while.
#
#   tests/fuzz/run.sh [short|long] [TARGET...]
#
# TARGET is a name without "fuzz_" (png, pdf, xml, zipfile, ...); default
# every $BUILD/fuzz/fuzz_* that `make fuzz-build` makes. short (the fuzz
# suite of tests/run): FUZZ_TIME=7 s each, inputs up to 128 KiB. long
# (make fuzz): FUZZ_TIME=600 s each, inputs up to 1 MiB. FUZZ_TIME and
# FUZZ_MAX_LEN override either. Prints "ok - fuzz_X: ..." or "not ok -
# fuzz_X: ..." per target and "N passed, N failed"; a crash's input goes
# to tests/fuzz/crashes/ with the log beside it (see tests/fuzz/README.md).
set -u
cd "$(dirname "$0")/../.." || exit 1
export BUILD="${BUILD:-build}"
mode=${1:-short}
[ $# -gt 0 ] && shift
case $mode in
short) time_=${FUZZ_TIME:-7} len=${FUZZ_MAX_LEN:-131072} ;;
long) time_=${FUZZ_TIME:-600} len=${FUZZ_MAX_LEN:-1048576} ;;
*) echo "usage: $0 [short|long] [TARGET...]" >&2; exit 2 ;;
esac
F=$BUILD/fuzz
CRASHES=tests/fuzz/crashes
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
notok() { fail=$((fail + 1)); echo "not ok - $1 (expected $2, got $3)"; }
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit; }

mkdir -p "$F/logs" "$CRASHES"
if ! command -v clang >/dev/null 2>&1; then
	notok "clang" "installed" "missing"
	finish
fi
if make -s -j2 BUILD="$BUILD" fuzz-build >"$F/logs/build.log" 2>&1; then
	ok "build the fuzz targets"
else
	notok "build the fuzz targets" "make fuzz-build to succeed" \
	    "$(grep -m 1 -E 'error|Error' "$F/logs/build.log")"
	finish
fi

# ---- seeds ---------------------------------------------------------------
# Basic seeds: one small valid document per format, made once with the
# same tools as the corpus. The corpus generators' samples, when there are
# any, are better seeds: tests/corpus/check.sh leaves a copy under
# $F/seeds/gen/GROUP when CHECK_SEEDS is set (tests/run does), and a
# group whose copy is missing or older than its generator is made here.
seed_basic() {
	local d=$F/seeds/basic t
	[ -f "$d/.done" ] && return 0
	rm -rf "$d"
	mkdir -p "$d"
	d=$(realpath "$d")
	t=$(mktemp -d) || return 1
	(
		set -e
		cv=/usr/bin/convert
		$cv -size 24x16 gradient:red-blue "$d/a.jpg"
		$cv -size 24x16 gradient:red-blue "$d/a.png"
		$cv -size 24x16 gradient:red-blue "$d/a.gif"
		$cv -size 24x16 gradient:red-blue "$d/a.webp"
		$cv -size 24x16 gradient:red-blue "$d/a.tif"
		exiftool -q -overwrite_original -Artist=x -Comment=y \
		    -XMP-dc:Creator=z "$d/a.jpg" "$d/a.png" "$d/a.tif"
		if command -v heif-enc >/dev/null 2>&1; then
			$cv -size 64x64 gradient:red-blue "$t/h.png"
			heif-enc -q 50 -o "$d/a.heic" "$t/h.png" >/dev/null
		fi
		printf '<svg xmlns="http://www.w3.org/2000/svg"><title>t</title><!-- c --><metadata>m</metadata><text x="1" y="9">hi</text></svg>\n' >"$d/a.svg"
		printf '%%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj 3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 9 9]>>endobj 4 0 obj<</Author(a)>>endobj\ntrailer<</Root 1 0 R/Info 4 0 R>>\n%%%%EOF\n' >"$t/p.pdf"
		qpdf "$t/p.pdf" "$d/a.pdf" || [ $? -eq 3 ]
		ffmpeg -v error -f lavfi -i sine=d=0.2 -metadata artist=x "$d/a.mp3"
		ffmpeg -v error -f lavfi -i sine=d=0.2 -metadata artist=x "$d/a.flac"
		ffmpeg -v error -f lavfi -i color=c=red:s=16x16:d=0.2 \
		    -metadata artist=x -pix_fmt yuv420p "$d/a.mp4"
		mkdir -p "$t/docx/_rels" "$t/docx/word" "$t/docx/docProps"
		printf '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>' >"$t/docx/[Content_Types].xml"
		printf '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p w:rsidR="00AB"><w:r><w:t>hi</w:t></w:r></w:p></w:body></w:document>' >"$t/docx/word/document.xml"
		printf '<?xml version="1.0"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>x</dc:creator></cp:coreProperties>' >"$t/docx/docProps/core.xml"
		(cd "$t/docx" && zip -qX -r "$d/a.docx" .)
		mkdir -p "$t/odt"
		printf 'application/vnd.oasis.opendocument.text' >"$t/odt/mimetype"
		printf '<?xml version="1.0"?><office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>' >"$t/odt/meta.xml"
		printf '<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>' >"$t/odt/content.xml"
		(cd "$t/odt" && zip -qX0 "$d/a.odt" mimetype && zip -qX "$d/a.odt" meta.xml content.xml)
		(cd "$d" && zip -q -z a.zip a.svg a.png <<<"comment")
	) >"$F/logs/seeds.log" 2>&1
	local rc=$?
	rm -rf "$t"
	[ $rc -eq 0 ] && touch "$d/.done"
	return $rc
}

seed_gen() {
	local g name d
	for g in tests/corpus/gen-*.sh; do
		[ -f "$g" ] || continue
		name=${g##*/gen-}
		name=${name%.sh}
		d=$F/seeds/gen/$name
		[ -d "$d" ] && [ "$d" -nt "$g" ] && continue
		rm -rf "$d"
		mkdir -p "$d"
		timeout 300 bash "$g" "$d" >>"$F/logs/seeds.log" 2>&1 ||
		    echo "# $g failed: its samples are not used as seeds"
		touch "$d"
	done
}

# The fuzz target that takes a sample of this name, if any.
target_of() {
	case ${1,,} in
	*.meta|*.body|*.expect) ;;
	*.jpg|*.jpeg) echo jpeg ;;
	*.png) echo png ;;
	*.gif) echo gif ;;
	*.webp) echo webp ;;
	*.tif|*.tiff) echo tiff ;;
	*.heic|*.heif|*.avif) echo heif ;;
	*.svg) echo "svg xml" ;;
	*.pdf) echo pdf ;;
	*.docx|*.xlsx|*.pptx) echo "ooxml zipfile" ;;
	*.odt|*.ods|*.odp) echo "odf zipfile" ;;
	*.zip) echo "zip zipfile" ;;
	*.mp3) echo mp3 ;;
	*.flac) echo flac ;;
	*.mp4|*.mov|*.m4a|*.3gp) echo mp4 ;;
	esac
}

# Link each seed into $F/seeds/by-target/T/ (rebuilt every run).
sort_seeds() {
	local f t
	rm -rf "$F/seeds/by-target"
	mkdir -p "$F/seeds/by-target"
	find "$F/seeds/basic" "$F/seeds/gen" -type f ! -name '.*' 2>/dev/null |
	while IFS= read -r f; do
		for t in $(target_of "$f"); do
			mkdir -p "$F/seeds/by-target/$t"
			ln -sf "$(realpath "$f")" \
			    "$F/seeds/by-target/$t/$(echo "$f" | md5sum | cut -c 1-12)-${f##*/}"
		done
	done
}

seed_basic || echo "# basic seeds failed (see $F/logs/seeds.log): running without"
seed_gen
sort_seeds

# ---- the runs ------------------------------------------------------------
targets=()
if [ $# -gt 0 ]; then
	for t in "$@"; do targets+=("$F/fuzz_$t"); done
else
	for t in "$F"/fuzz_*; do [ -x "$t" ] && targets+=("$t"); done
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
for bin in "${targets[@]}"; do
	t=${bin##*/fuzz_}
	if [ ! -x "$bin" ]; then
		notok "fuzz_$t" "a built target" "no $bin"
		continue
	fi
	corpus=$F/corpus/$t
	mkdir -p "$corpus"
	seeds=()
	[ -d "$F/seeds/by-target/$t" ] && seeds=("$F/seeds/by-target/$t")
	log=$F/logs/$t.log
	start=$(date +%s)
	timeout -k 10 $((time_ + 120)) "$bin" -max_total_time="$time_" \
	    -max_len="$len" -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix="$CRASHES/$t-" \
	    "$corpus" "${seeds[@]}" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	cov=$(grep -E '^#[0-9]+' "$log" | tail -n 1 | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
	nseeds=0
	[ ${#seeds[@]} -gt 0 ] && nseeds=$(ls "${seeds[0]}" | wc -l)
	what="$(($(date +%s) - start))s, ${runs:-?} runs, cov ${cov:-?}, $nseeds seeds"
	if [ $rc -eq 0 ]; then
		ok "fuzz_$t: $what"
		continue
	fi
	art=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
	sum=$(grep -m 1 -E '^SUMMARY|ERROR: libFuzzer|==ERROR' "$log")
	[ -n "$art" ] && cp "$log" "$art.log"
	notok "fuzz_$t: $what" "no crash" \
	    "status $rc, ${sum:-see $log}, input ${art:-none}"
done
finish
