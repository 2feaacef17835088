#!/usr/bin/env bash
# tests/corpus/check.sh — run the corpus generators, clean every sample
# with postern-clean, and check what tests/corpus/README.md says.
#
#   tests/corpus/check.sh [GROUP|PATH...]
#
# GROUP is a generator's name without "gen-" and ".sh" (images, pdf, ...);
# a PATH to a generator script also works (to try one before it lands).
# Default: every tests/corpus/gen-*.sh. Prints one "ok - ..." or
# "not ok - ... (expected X, got Y)" line per check and ends with
# "N passed, N failed"; exit 1 if anything failed.
#
# Environment: BUILD (default build; uses $BUILD/postern-clean),
# CHECK_KEEP=1 keeps the scratch directory (its path is printed),
# CHECK_ONLY=GLOB checks only the samples whose name matches GLOB,
# CHECK_SEEDS=DIR leaves a copy of each group's samples in DIR/GROUP (the
# fuzz targets' seeds; tests/run sets it). For bench/strip:
# CHECK_CORPUS=DIR checks the samples already in DIR/GROUP instead of
# running the generators (GROUP default: every subdirectory),
# CHECK_CLEANER=CMD runs CMD IN OUT --report R instead of postern-clean,
# CHECK_JSON=FILE writes each sample's results to FILE.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}

CLEANER=${CHECK_CLEANER:-$BUILD/postern-clean}

gens=()
if [ $# -eq 0 ] && [ -n "${CHECK_CORPUS:-}" ]; then
	for g in "$CHECK_CORPUS"/*/; do
		[ -d "$g" ] && g=${g%/} && gens+=("${g##*/}")
	done
elif [ $# -eq 0 ]; then
	for g in tests/corpus/gen-*.sh; do
		[ -f "$g" ] && gens+=("$g")
	done
else
	for a in "$@"; do
		case $a in
		*/*|*.sh) gens+=("$a") ;;
		*) gens+=("tests/corpus/gen-$a.sh") ;;
		esac
	done
fi

missing=0
for c in python3 exiftool qpdf ffmpeg ffprobe unzip; do
	if ! command -v "$c" >/dev/null 2>&1; then
		echo "not ok - tool $c (expected installed, got missing)"
		missing=$((missing + 1))
	fi
done
if [ ! -x /usr/bin/identify ]; then
	echo "not ok - tool /usr/bin/identify (expected installed, got missing)"
	missing=$((missing + 1))
fi
if ! command -v "$CLEANER" >/dev/null 2>&1; then
	echo "not ok - $CLEANER (expected built, got missing)"
	missing=$((missing + 1))
fi
if [ $missing -gt 0 ]; then
	echo "0 passed, $missing failed"
	exit 1
fi
if [ ${#gens[@]} -eq 0 ]; then
	echo "# no tests/corpus/gen-*.sh yet: nothing to check"
	echo "0 passed, 0 failed"
	exit 0
fi

exec python3 - "$(command -v "$CLEANER")" "${gens[@]}" <<'PYEOF'
"""The checker proper. Everything it runs has a timeout; a sample's views
(the bytes a marker could hide in) are built under one scratch directory
that is removed at the end unless CHECK_KEEP=1."""
import fnmatch, json, os, re, shutil, subprocess, sys, tempfile, zipfile
import xml.etree.ElementTree as ET

CLEAN = os.path.abspath(sys.argv[1])
GENS = sys.argv[2:]
IDENTIFY = "/usr/bin/identify"
ZIP_DEPTH, ZIP_MEMBERS, ZIP_BYTES = 4, 2000, 256 << 20

passed = failed = 0
RESULTS = []


def ok(name):
    global passed
    passed += 1
    print("ok - " + name, flush=True)


def notok(name, expected, got):
    global failed
    failed += 1
    got = " ".join(str(got).split())
    if len(got) > 300:
        got = got[:297] + "..."
    print("not ok - %s (expected %s, got %s)" % (name, expected, got),
          flush=True)


def check(name, cond, expected, got):
    if cond:
        ok(name)
    else:
        notok(name, expected, got)


def run(argv, timeout=120, **kw):
    try:
        return subprocess.run(argv, stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=timeout, **kw)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(argv, 124, b"", b"timed out")


# ---- finding markers ---------------------------------------------------
# A marker is MKM + letters/digits; it may sit in the bytes as ASCII or
# UTF-8, UTF-16 (ID3, PDF strings, Windows XP EXIF tags) or hex (PDF
# <...> strings), so every view is searched in each spelling.
ALNUM = rb"[A-Za-z0-9]"
PATTERNS = [
    (re.compile(rb"MKM" + ALNUM + b"*"), lambda m: m),
    (re.compile(rb"M\x00K\x00M\x00(?:" + ALNUM + rb"\x00)*"),
     lambda m: m[::2]),
    (re.compile(rb"\x00M\x00K\x00M(?:\x00" + ALNUM + rb")*"),
     lambda m: m[1::2]),
    (re.compile(rb"(?i)4d4b4d(?:[0-9a-f]{2})*"), "hex"),
    (re.compile(rb"(?i)004d004b004d(?:00[0-9a-f]{2})*"), "hex"),
]


def unhex(h):
    try:
        b = bytes.fromhex(h.decode()[:len(h) // 2 * 2])
    except ValueError:
        return b"MKM?"
    b = b.replace(b"\x00", b"")
    m = re.match(rb"MKM" + ALNUM + b"*", b)
    return m.group(0) if m else b"MKM?"


def markers_in(data, prefix=b"MKM"):
    """Every marker (as str) found in data, in any spelling."""
    found = set()
    if prefix == b"MKM":
        pats = PATTERNS
    else:
        wide = b"".join(bytes([c]) + b"\x00" for c in prefix)
        pats = [(re.compile(re.escape(prefix) + ALNUM + b"*"), lambda m: m),
                (re.compile(re.escape(wide) + rb"(?:" + ALNUM + rb"\x00)*"),
                 lambda m: m[::2])]
    for rx, conv in pats:
        for m in rx.finditer(data):
            s = m.group(0)
            s = unhex(s) if conv == "hex" else conv(s)
            # Two markers back to back ("MKMaMKMb") are both seen.
            for part in s.split(prefix)[1:]:
                found.add((prefix + part).decode("ascii", "replace"))
    return found


def name_markers(found, meta):
    """A marker runs on into whatever letters follow it in the file
    ("MKMmp3Title3DI"): name each found one after the longest .meta
    marker it starts with."""
    named = {}
    for f, where in found.items():
        m = max((m for m in meta if f.startswith(m)), key=len, default=f)
        named.setdefault(m, []).extend(where)
    return named


# ---- views: every form of a file a marker could survive in --------------
def is_pdf(data):
    return b"%PDF-" in data[:1024]


def build_views(path, vdir, depth=0, budget=None):
    """[(label, file)] for path, its unzipped members (recursively) and
    the qdf view of any PDF among them."""
    if budget is None:
        budget = [ZIP_MEMBERS, ZIP_BYTES]
    os.makedirs(vdir, exist_ok=True)
    views = [("bytes", path)]
    with open(path, "rb") as f:
        head = f.read(1024)
    if is_pdf(head):
        q = os.path.join(vdir, "qdf-%d.pdf" % len(os.listdir(vdir)))
        r = run(["qpdf", "--qdf", "--object-streams=disable", path, q])
        if r.returncode in (0, 3) and os.path.exists(q):
            views.append(("qdf", q))
    if depth < ZIP_DEPTH and zipfile.is_zipfile(path):
        try:
            views += unzip_views(path, vdir, depth, budget)
        except (zipfile.BadZipFile, OSError, RuntimeError, ValueError,
                NotImplementedError, EOFError) as e:
            views.append(("unzip failed: %s" % e, None))
    return views


def unzip_views(path, vdir, depth, budget):
    views = []
    with zipfile.ZipFile(path) as z:
        for i, info in enumerate(z.infolist()):
            if info.is_dir() or budget[0] <= 0:
                continue
            budget[0] -= 1
            if info.file_size > budget[1]:
                views.append(("member too large", None))
                continue
            data = z.read(info)
            budget[1] -= len(data)
            ext = os.path.splitext(info.filename)[1]
            ext = re.sub(r"[^A-Za-z0-9.]", "", ext)[:8]
            sub = os.path.join(vdir, "z%d-%d" % (depth, len(os.listdir(vdir))))
            os.makedirs(sub)
            m = os.path.join(sub, "m%04d%s" % (i, ext))
            with open(m, "wb") as f:
                f.write(data)
            for lab, v in build_views(m, sub, depth + 1, budget):
                views.append(("zip member %s: %s" % (info.filename, lab)
                              if lab == "bytes" else lab, v))
    return views


def exiftool_dumps(files):
    """{file: text of exiftool -a -u -g1} for many files in one run."""
    out = {}
    files = [f for f in files if f]
    for i in range(0, len(files), 200):
        chunk = files[i:i + 200]
        r = run(["exiftool", "-j", "-a", "-u", "-g1", "-charset",
                 "filename=utf8", "--"] + chunk, timeout=300)
        try:
            for e in json.loads(r.stdout.decode("utf-8", "replace") or "[]"):
                out[e.get("SourceFile")] = e
        except ValueError:
            pass
    return out


# ---- content and validity ------------------------------------------------
def identify(path, frames):
    fmt = "%#\\n"
    target = path if frames else path + "[0]"
    r = run([IDENTIFY, "-format", fmt, target])
    return r.returncode, r.stdout.decode(errors="replace").split()


def ffmd5(path, what):
    r = run(["ffmpeg", "-nostdin", "-v", "error", "-i", path, "-map",
             "0:" + what, "-f", "md5", "-"])
    return r.returncode, r.stdout.decode(errors="replace").strip()


def body_check(name, body, src, out, out_views):
    kind = body.split()[0] if body.split() else ""
    if kind == "text":
        want = body.split()[1] if len(body.split()) > 1 else ""
        got = set()
        for _, v in out_views:
            if v:
                with open(v, "rb") as f:
                    got |= markers_in(f.read(), b"MKB")
        check(name + ": content marker " + want,
              bool(want) and any(g.startswith(want) for g in got),
              want + " in the text view", "not found")
    elif kind in ("pixels", "frames"):
        a = identify(src, kind == "frames")
        b = identify(out, kind == "frames")

        def sigs(r):
            return "%d signature(s) %s" % (
                len(r[1]), " ".join(x[:12] for x in r[1][:4]))
        check(name + ": " + kind + " identical",
              a[0] == 0 and a[1] and a == b, sigs(a),
              "status %d, %s" % (b[0], sigs(b)))
    elif kind in ("audio", "video"):
        w = "a" if kind == "audio" else "v"
        a, b = ffmd5(src, w), ffmd5(out, w)
        check(name + ": " + kind + " identical",
              a[0] == 0 and a[1] and a == b, a[1] or "a decodable input",
              "status %d %s" % (b[0], b[1]))
    else:
        notok(name + ": .body", "text MKB.../pixels/frames/audio/video",
              repr(body))


IMAGE_FORMATS = ("jpeg", "png", "gif", "webp", "tiff", "heif")
MEDIA_FORMATS = ("mp3", "flac", "mp4")
ZIP_FORMATS = ("ooxml", "odf", "zip")
# When the report names no format (it always should), the extension.
EXT_FORMATS = {"jpg": "jpeg", "jpeg": "jpeg", "png": "png", "gif": "gif",
               "webp": "webp", "tif": "tiff", "tiff": "tiff", "heic": "heif",
               "heif": "heif", "avif": "heif", "svg": "svg", "pdf": "pdf",
               "docx": "ooxml", "xlsx": "ooxml", "pptx": "ooxml",
               "odt": "odf", "ods": "odf", "odp": "odf", "mp3": "mp3",
               "flac": "flac", "mp4": "mp4", "mov": "mp4", "m4a": "mp4",
               "3gp": "mp4",
               "zip": "zip"}


def validity(name, fmt, out, exif):
    errs = []
    if fmt == "pdf":
        r = run(["qpdf", "--check", out])
        if r.returncode != 0:
            errs.append("qpdf --check status %d: %s" % (
                r.returncode, (r.stdout + r.stderr).decode(errors="replace")
                [-200:]))
    if fmt in ZIP_FORMATS:
        r = run(["unzip", "-tqq", out])
        if r.returncode != 0:
            errs.append("unzip -t status %d: %s" % (
                r.returncode, (r.stdout + r.stderr).decode(errors="replace")
                [-200:]))
    if fmt in IMAGE_FORMATS:
        r = run([IDENTIFY, out])
        if r.returncode != 0:
            errs.append("identify status %d: %s" % (
                r.returncode, r.stderr.decode(errors="replace")[-200:]))
    if fmt in MEDIA_FORMATS:
        r = run(["ffprobe", "-v", "error", out])
        if r.returncode != 0 or r.stderr.strip():
            errs.append("ffprobe status %d: %s" % (
                r.returncode, r.stderr.decode(errors="replace")[-200:]))
    if fmt == "svg":
        try:
            ET.parse(out)
        except (ET.ParseError, OSError) as e:
            errs.append("XML parse: %s" % e)
    e = (exif or {}).get("ExifTool", {})
    if "Error" in e:
        errs.append("exiftool Error: %s" % e["Error"])
    if exif is None:
        errs.append("exiftool gave no output")
    check(name + ": valid " + (fmt or "?"), not errs, "no error",
          "; ".join(errs))


# ---- one group -----------------------------------------------------------
def samples_of(gdir):
    names = []
    for n in sorted(os.listdir(gdir)):
        if n.endswith((".meta", ".body", ".expect")):
            continue
        if os.path.isfile(os.path.join(gdir, n)):
            names.append(n)
    only = os.environ.get("CHECK_ONLY")
    return [n for n in names if not only or fnmatch.fnmatch(n, only)]


def read_side(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError:
        return None


def clean_one(g, gdir, odir, n):
    """Run postern-clean on one sample; a dict of what came out."""
    s = {"name": "%s/%s" % (g, n), "src": os.path.join(gdir, n),
         "out": os.path.join(odir, n), "rep": os.path.join(odir, n + ".json")}
    meta = read_side(s["src"] + ".meta")
    s["meta"] = [l.strip() for l in (meta or "").splitlines() if l.strip()]
    s["body"] = (read_side(s["src"] + ".body") or "").strip()
    s["expect"] = (read_side(s["src"] + ".expect") or "cleaned").strip()
    r = run([CLEAN, s["src"], s["out"], "--report", s["rep"]], timeout=300)
    s["rc"], s["stderr"] = r.returncode, r.stderr.decode(errors="replace")
    try:
        with open(s["rep"], "rb") as f:
            s["rep_bytes"] = f.read()
        s["report"] = json.loads(s["rep_bytes"])
    except (OSError, ValueError):
        s["rep_bytes"], s["report"] = b"", None
    return s


def check_group(gen, tmp):
    g = os.path.basename(gen)
    g = g[4:-3] if g.startswith("gen-") and g.endswith(".sh") else g
    gdir = os.path.join(tmp, "in", g)
    odir = os.path.join(tmp, "out", g)
    vroot = os.path.join(tmp, "views", g)
    corpus = os.environ.get("CHECK_CORPUS")
    if corpus:
        gdir = os.path.join(corpus, g)
    for d in (odir, vroot) if corpus else (gdir, odir, vroot):
        os.makedirs(d)
    if corpus:
        r = subprocess.CompletedProcess([], 0 if os.path.isdir(gdir) else 1)
    elif not os.path.isfile(gen):
        notok("generator " + gen, "a file", "missing")
        return
    else:
        r = run(["bash", gen, gdir], timeout=300)
        check("%s: %s runs" % (g, gen), r.returncode == 0, "exit 0",
              "%d: %s" % (r.returncode,
                          r.stderr.decode(errors="replace")[-300:]))
    names = samples_of(gdir)
    seeds = os.environ.get("CHECK_SEEDS")
    if seeds and r.returncode == 0 and not corpus:
        shutil.rmtree(os.path.join(seeds, g), ignore_errors=True)
        shutil.copytree(gdir, os.path.join(seeds, g))
    check("%s: samples written" % g, len(names) > 0, "at least one", 0)
    samples = [clean_one(g, gdir, odir, n) for n in names]
    for s in samples:
        base = os.path.basename(s["src"])
        s["in_views"] = build_views(s["src"], os.path.join(vroot, "in", base))
        if s["rc"] == 0 and os.path.isfile(s["out"]):
            s["out_views"] = build_views(s["out"],
                                         os.path.join(vroot, "out", base))
        else:
            s["out_views"] = []
    files = [v for s in samples for lab, v in s["in_views"] + s["out_views"]
             if v and lab != "qdf"]
    dumps = exiftool_dumps(files)
    for s in samples:
        check_sample(s, dumps)
    left = [n for n in os.listdir(odir) if n.startswith(".postern-clean-")]
    check("%s: no .postern-clean-* temp file left" % g, not left, "none",
          " ".join(left))


def scan(views, dumps):
    """{marker: [where]} over views and their exiftool dumps; plus views
    that could not be built."""
    found, broken = {}, []
    for lab, v in views:
        if v is None:
            broken.append(lab)
            continue
        with open(v, "rb") as f:
            for m in markers_in(f.read()):
                found.setdefault(m, []).append(lab)
        if lab != "qdf" and v in dumps:
            d = {k: x for k, x in dumps[v].items()
                 if k not in ("SourceFile", "System")}
            txt = json.dumps(d, ensure_ascii=False).encode()
            for m in markers_in(txt):
                found.setdefault(m, []).append("exiftool of " + lab)
    return found, broken


def check_sample(s, dumps):
    res = {"name": s["name"], "expect": s["expect"], "rc": s["rc"],
           "left": None, "content": None, "valid": None}
    RESULTS.append(res)
    name, exp = s["name"], s["expect"]
    want = {"cleaned": 0, "unsupported": 3, "notcleaned": 1}.get(exp)
    if want is None:
        notok(name + ": .expect", "unsupported or notcleaned", exp)
        return
    check(name + ": exit status %d" % want, s["rc"] == want, want,
          "%d (%s)" % (s["rc"], s["stderr"].strip()))
    # The generator planted what it says it did: each marker of .meta is
    # seen in the input's views, so a clean output means something.
    bad = [m for m in s["meta"] if not re.fullmatch(r"MKM[A-Za-z0-9]+", m)]
    seen, _ = scan(s["in_views"], dumps)
    seen = name_markers(seen, s["meta"])
    missing = [m for m in s["meta"] if m not in seen]
    check(name + ": %d marker(s) planted" % len(s["meta"]),
          not bad and not missing, "every .meta marker in the input",
          "malformed %s, not found %s" % (bad, missing))
    rep = s["report"]
    rep_left = markers_in(s["rep_bytes"])
    check(name + ": report", rep is not None and not rep_left and
          isinstance(rep.get("removed"), list) and
          isinstance(rep.get("warnings"), list),
          "JSON with removed[], warnings[], no marker",
          "unreadable" if rep is None else "markers %s" % sorted(rep_left)
          if rep_left else rep)
    if exp != "cleaned":
        check(name + ": OUT not written", not os.path.lexists(s["out"]),
              "no OUT", "OUT exists")
        st = {"unsupported": "not supported", "notcleaned": "not cleaned"}
        if rep is not None:
            check(name + ": report status", rep.get("status") == st[exp],
                  st[exp], rep.get("status"))
        return
    if s["rc"] != 0 or not os.path.isfile(s["out"]):
        return
    found, broken = scan(s["out_views"], dumps)
    found = name_markers(found, s["meta"])
    res["left"] = sorted(found) + ["(view failed)"] * len(broken)
    check(name + ": no marker left", not found and not broken, "none",
          "; ".join("%s in %s" % (m, ", ".join(sorted(set(w))))
                    for m, w in sorted(found.items())) +
          ("; views failed: " + ", ".join(broken) if broken else ""))
    f0 = failed
    body_check(name, s["body"], s["src"], s["out"], s["out_views"])
    res["content"] = failed == f0
    fmt = (rep or {}).get("format") or EXT_FORMATS.get(
            os.path.splitext(s["out"])[1].lower().lstrip("."), "")
    f0 = failed
    validity(name, fmt, s["out"], dumps.get(s["out"]))
    res["valid"] = failed == f0


def main():
    tmp = tempfile.mkdtemp(prefix="postern-corpus.")
    try:
        for gen in GENS:
            check_group(gen, tmp)
    finally:
        if os.environ.get("CHECK_KEEP") == "1":
            print("# kept " + tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    if os.environ.get("CHECK_JSON"):
        with open(os.environ["CHECK_JSON"], "w") as f:
            json.dump(RESULTS, f, indent=1)
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


main()
PYEOF
