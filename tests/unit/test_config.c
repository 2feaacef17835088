/*
 * test_config.c — posternd's config file: the sample in deploy/ loads and
 * documents the real defaults; every error names its file and line; sizes,
 * paths and the listen address parse as config.h says.
 *
 * Config files are written into a mkdtemp directory, removed at the end.
 * Run from the repository root (tests/run does), where the sample is.
 */
#include <sys/stat.h>

#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "postern/config.h"

#define SAMPLE "deploy/posternd.conf.sample"

/* Every file a test writes starts with what a config needs to load. */
#define REQUIRED                                                               \
	"listen = 127.0.0.1:8080\n"                                            \
	"state_dir = /var/lib/postern\n"                                       \
	"recipients_file = /etc/postern/recipients.txt\n"

static char tmpdir[64];
static char cwd[CONFIG_PATH_MAX];

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
group_setup(void **state)
{
	(void)state;
	/* A umask of 0 would make every file world-writable, and refused. */
	umask(022);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_config.XXXXXX");
	if (mkdtemp(tmpdir) == NULL || getcwd(cwd, sizeof(cwd)) == NULL) {
		fprintf(stderr, "test_config: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	return nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Write text (len bytes) to a fresh file in dir; the path is returned. */
static const char *
write_in(const char *dir, const char *text, size_t len)
{
	static char path[CONFIG_PATH_MAX];
	static unsigned n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/c%u.conf", dir, n++);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

static const char *
write_conf(const char *text)
{
	return write_in(tmpdir, text, strlen(text));
}

/* Load text; it must succeed, or the test fails showing the error. */
static void
load_ok_at(const char *file, int line, const char *text, struct config *cf)
{
	char err[CONFIG_ERRLEN] = "";
	const char *path = write_conf(text);

	if (config_load(cf, path, err, sizeof(err)) != 0) {
		print_error(
		    "config:\n%s\nexpected: 0\ngot: -1 \"%s\"\n", text, err);
		_fail(file, line);
	}
}
#define load_ok(text, cf) load_ok_at(__FILE__, __LINE__, text, cf)

/*
 * Load path; it must fail with an error that starts "PATH:LINE: " (or
 * "PATH: " for line 0) and contains what.
 */
static void
fails_path_at(
    const char *file, int line, const char *path, int lineno, const char *what)
{
	char err[CONFIG_ERRLEN] = "", want[CONFIG_PATH_MAX + 32];
	struct config cf;
	int rc;

	if (lineno > 0)
		snprintf(want, sizeof(want), "%s:%d: ", path, lineno);
	else
		snprintf(want, sizeof(want), "%s: ", path);
	memset(&cf, 0xa5, sizeof(cf));
	rc = config_load(&cf, path, err, sizeof(err));
	if (rc != -1 || strncmp(err, want, strlen(want)) != 0 ||
	    strstr(err, what) == NULL) {
		print_error("expected: -1, an error starting \"%s\" and "
			    "containing \"%s\"\ngot: %d \"%s\"\n",
		    want, what, rc, err);
		_fail(file, line);
	}
	/* A failed load leaves the struct as it was. */
	for (size_t i = 0; i < sizeof(cf); i++)
		if (((unsigned char *)&cf)[i] != 0xa5) {
			print_error("expected: struct untouched after -1\n"
				    "got: byte %zu changed\n",
			    i);
			_fail(file, line);
		}
}
#define fails_path(path, lineno, what)                                         \
	fails_path_at(__FILE__, __LINE__, path, lineno, what)
#define fails(text, lineno, what)                                              \
	fails_path_at(__FILE__, __LINE__, write_conf(text), lineno, what)

/* ---- the sample and the defaults ------------------------------------- */

static void
test_defaults(void **state)
{
	struct config cf;

	(void)state;
	memset(&cf, 0xff, sizeof(cf));
	config_defaults(&cf);
	assert_string_equal(cf.listen_path, "");
	assert_string_equal(cf.listen_host, "");
	assert_int_equal(cf.listen_unix, 0);
	assert_int_equal(cf.allow_nonlocal, 0);
	assert_string_equal(cf.state_dir, "");
	assert_string_equal(cf.recipients_file, "");
	assert_string_equal(cf.templates_dir, "templates");
	assert_int_equal(cf.max_file_size, 500 * 1024 * 1024);
	assert_int_equal(cf.max_submission_size, 1024 * 1024 * 1024);
	assert_int_equal(cf.max_message_size, 64 * 1024);
	assert_int_equal(cf.max_files, 20);
	assert_int_equal(cf.max_uploads, 64);
	assert_int_equal(cf.max_workers, 2);
	assert_int_equal(cf.min_free_disk, 1024 * 1024 * 1024);
	assert_string_equal(cf.default_lang, "en");
	assert_int_equal(cf.uncleanable, CONFIG_UNCLEANABLE_STORE);
	assert_int_equal(cf.keep_original, 0);
}

/* A file with only the required keys gives the defaults for the rest. */
static void
test_minimal_file(void **state)
{
	struct config cf, def;
	char want[CONFIG_PATH_MAX + 16];

	(void)state;
	load_ok(REQUIRED, &cf);
	config_defaults(&def);
	assert_int_equal(cf.listen_unix, 0);
	assert_string_equal(cf.listen_host, "127.0.0.1");
	assert_int_equal(cf.listen_port, 8080);
	assert_string_equal(cf.state_dir, "/var/lib/postern");
	assert_string_equal(cf.recipients_file, "/etc/postern/recipients.txt");
	snprintf(want, sizeof(want), "%s/templates", tmpdir);
	assert_string_equal(cf.templates_dir, want);
	assert_int_equal(cf.max_file_size, def.max_file_size);
	assert_int_equal(cf.max_submission_size, def.max_submission_size);
	assert_int_equal(cf.max_message_size, def.max_message_size);
	assert_int_equal(cf.max_files, def.max_files);
	assert_int_equal(cf.max_uploads, def.max_uploads);
	assert_int_equal(cf.max_workers, def.max_workers);
	assert_int_equal(cf.min_free_disk, def.min_free_disk);
	assert_string_equal(cf.default_lang, def.default_lang);
	assert_int_equal(cf.uncleanable, def.uncleanable);
	assert_int_equal(cf.keep_original, def.keep_original);
}

static void
test_sample_loads(void **state)
{
	char err[CONFIG_ERRLEN] = "", want[CONFIG_PATH_MAX + 32];
	struct config cf;

	(void)state;
	if (config_load(&cf, SAMPLE, err, sizeof(err)) != 0) {
		print_error("expected: %s loads (cwd must be the repository "
			    "root)\ngot: \"%s\"\n",
		    SAMPLE, err);
		fail();
	}
	assert_int_equal(cf.listen_unix, 1);
	assert_string_equal(cf.listen_path, "/run/postern/posternd.sock");
	assert_int_equal(cf.allow_nonlocal, 0);
	assert_string_equal(cf.state_dir, "/var/lib/postern");
	/* a relative config path: resolved against cwd + its directory */
	snprintf(want, sizeof(want), "%s/deploy/recipients.txt", cwd);
	assert_string_equal(cf.recipients_file, want);
	snprintf(want, sizeof(want), "%s/deploy/templates", cwd);
	assert_string_equal(cf.templates_dir, want);
}

/*
 * The sample shows each default as a commented "#key = value" line.
 * Uncommented, every one of them must load and give config_defaults()'s
 * value: the documentation cannot drift from the code unnoticed.
 */
static void
test_sample_defaults_match(void **state)
{
	char line[CONFIG_LINE_MAX + 2], *text, *p;
	struct config cf, def;
	size_t len = 0, n, keys = 0;
	FILE *f;

	(void)state;
	assert_non_null(text = calloc(1, CONFIG_FILE_MAX + 1));
	assert_non_null(f = fopen(SAMPLE, "r"));
	while (fgets(line, sizeof(line), f) != NULL) {
		p = line;
		/* "#key = value", not "# prose" */
		if (line[0] == '#' && line[1] >= 'a' && line[1] <= 'z' &&
		    strstr(line, " = ") != NULL) {
			p = line + 1;
			keys++;
		}
		n = strlen(p);
		assert_true(len + n <= CONFIG_FILE_MAX);
		memcpy(text + len, p, n);
		len += n;
	}
	fclose(f);
	/* allow_nonlocal, templates_dir, every size and number, and the
	 * two stripping choices */
	if (keys != 12) {
		print_error("expected: 12 commented defaults in %s\ngot: %zu\n",
		    SAMPLE, keys);
		fail();
	}
	load_ok(text, &cf);
	free(text);
	config_defaults(&def);
	assert_int_equal(cf.allow_nonlocal, def.allow_nonlocal);
	assert_int_equal(cf.max_file_size, def.max_file_size);
	assert_int_equal(cf.max_submission_size, def.max_submission_size);
	assert_int_equal(cf.max_message_size, def.max_message_size);
	assert_int_equal(cf.max_files, def.max_files);
	assert_int_equal(cf.max_uploads, def.max_uploads);
	assert_int_equal(cf.max_workers, def.max_workers);
	assert_int_equal(cf.min_free_disk, def.min_free_disk);
	assert_string_equal(cf.default_lang, def.default_lang);
	assert_int_equal(cf.uncleanable, def.uncleanable);
	assert_int_equal(cf.keep_original, def.keep_original);
}

/* ---- syntax ------------------------------------------------------------ */

static void
test_syntax_accepted(void **state)
{
	struct config cf;

	(void)state;
	load_ok("# comment\n\n   \n\t# indented comment\n"
		"  listen\t=  127.0.0.1:1  \r\n"
		"state_dir=/s\n"
		"recipients_file = /a path/with spaces.txt \t\n"
		"default_lang = pt-BR",
	    &cf); /* no final newline */
	assert_string_equal(cf.listen_host, "127.0.0.1");
	assert_int_equal(cf.listen_port, 1);
	assert_string_equal(cf.state_dir, "/s");
	assert_string_equal(cf.recipients_file, "/a path/with spaces.txt");
	assert_string_equal(cf.default_lang, "pt-BR");
	load_ok(REQUIRED "default_lang = ast\n", &cf);
	assert_string_equal(cf.default_lang, "ast");
	/* a value may hold '=' */
	load_ok(REQUIRED "templates_dir = /t=1\n", &cf);
	assert_string_equal(cf.templates_dir, "/t=1");
}

static void
test_syntax_errors(void **state)
{
	(void)state;
	fails(REQUIRED "\n# fine\nmax_filez = 3\n", 6,
	    "unknown key \"max_filez\"");
	fails(REQUIRED "Max_Files = 3\n", 4, "unknown key \"Max_Files\"");
	fails(REQUIRED "max_files = 3\nmax_files = 4\n", 5,
	    "max_files given twice (first on line 4)");
	fails("listen = unix:/a\n" REQUIRED, 2, "listen given twice");
	fails(REQUIRED "max_files 3\n", 4, "expected \"key = value\"");
	fails(REQUIRED " = 3\n", 4, "expected \"key = value\"");
	fails(REQUIRED "state_dir2 =\n", 4, "unknown key");
	fails("state_dir =   \n", 1, "state_dir has no value");
	/* no trailing comments: the value runs to the end of the line */
	fails(REQUIRED "max_files = 20 # twenty\n", 4, "max_files must be");
	fails(REQUIRED "max_files = 20\001\n", 4, "control character");
	fails_path(write_in(tmpdir, REQUIRED "x\0y\n", strlen(REQUIRED) + 4), 4,
	    "NUL byte");
	/* an unknown key is quoted safely and cut short */
	fails("\033[31m = 1\n", 1, "control character");
	fails("k\xc3\xa9y = 1\n", 1, "unknown key \"k??y\"");
}

static void
test_line_length(void **state)
{
	char *text;
	size_t n = strlen(REQUIRED);
	struct config cf;

	(void)state;
	assert_non_null(text = malloc(n + CONFIG_LINE_MAX + 8));
	memcpy(text, REQUIRED, n);
	/* exactly CONFIG_LINE_MAX bytes, LF or CRLF: accepted */
	text[n] = '#';
	memset(text + n + 1, 'x', CONFIG_LINE_MAX - 1);
	memcpy(text + n + CONFIG_LINE_MAX, "\r\n", 3);
	load_ok(text, &cf);
	memcpy(text + n + CONFIG_LINE_MAX, "\n", 2);
	load_ok(text, &cf);
	/* one more, even in a comment: refused on its line */
	memcpy(text + n + CONFIG_LINE_MAX, "x\n", 3);
	fails(text, 4, "line longer than 1024 bytes");
	free(text);
}

static void
test_whole_file_errors(void **state)
{
	char path[CONFIG_PATH_MAX], *text;
	size_t len = 0;

	(void)state;
	fails("", 0,
	    "required keys missing: listen, state_dir, "
	    "recipients_file");
	fails("# nothing\n", 0, "required keys missing");
	fails("listen = unix:/s\nstate_dir = /x\n", 0,
	    "required key missing: recipients_file");
	fails("listen = unix:/s\nrecipients_file = r\n", 0,
	    "required key missing: state_dir");

	snprintf(path, sizeof(path), "%s/does-not-exist.conf", tmpdir);
	fails_path(path, 0, "No such file or directory");
	fails_path(tmpdir, 0, "not a regular file");

	/* a file over the cap, made of valid comment lines */
	assert_non_null(text = malloc(CONFIG_FILE_MAX + 128));
	while (len <= CONFIG_FILE_MAX) {
		memcpy(text + len, "# padding padding padding\n", 26);
		len += 26;
	}
	fails_path(write_in(tmpdir, text, len), 0, "larger than 65536 bytes");
	free(text);

	/* whoever can write the file can swap the recipients */
	snprintf(path, sizeof(path), "%s", write_conf(REQUIRED));
	assert_int_equal(chmod(path, 0666), 0);
	fails_path(path, 0, "writable by every user");
}

/* ---- values ------------------------------------------------------------ */

static void
test_sizes(void **state)
{
	struct config cf;

	(void)state;
	load_ok(REQUIRED "max_file_size = 12345\n"
			 "max_submission_size = 3G\n"
			 "max_message_size = 1K\n"
			 "min_free_disk = 0\n",
	    &cf);
	assert_int_equal(cf.max_file_size, 12345);
	assert_int_equal(cf.max_submission_size, (uint64_t)3 << 30);
	assert_int_equal(cf.max_message_size, 1024);
	assert_int_equal(cf.min_free_disk, 0);
	load_ok(REQUIRED "max_file_size = 2M\nmax_message_size = 10k\n"
			 "max_submission_size = 1g\nmin_free_disk = 007m\n",
	    &cf);
	assert_int_equal(cf.max_file_size, 2 * 1024 * 1024);
	assert_int_equal(cf.max_message_size, 10 * 1024);
	assert_int_equal(cf.max_submission_size, (uint64_t)1 << 30);
	assert_int_equal(cf.min_free_disk, 7 * 1024 * 1024);
	/* the ceiling, CONFIG_SIZE_MAX (1 PiB), in each unit */
	load_ok(REQUIRED "max_file_size = 1125899906842624\n"
			 "max_submission_size = 1048576G\n"
			 "max_message_size = 1073741824M\n"
			 "min_free_disk = 1099511627776K\n",
	    &cf);
	assert_int_equal(cf.max_file_size, CONFIG_SIZE_MAX);
	assert_int_equal(cf.max_submission_size, CONFIG_SIZE_MAX);
	assert_int_equal(cf.max_message_size, CONFIG_SIZE_MAX);
	assert_int_equal(cf.min_free_disk, CONFIG_SIZE_MAX);

	fails(REQUIRED "max_file_size = 1125899906842625\n", 4,
	    "\"1125899906842625\" is too large (at most 1048576G)");
	fails(REQUIRED "max_file_size = 1048577G\n", 4, "is too large");
	fails(REQUIRED "min_free_disk = 1099511627777K\n", 4, "is too large");
	/* past 64 bits: no wrap-around to a small number */
	fails(REQUIRED "max_file_size = 18446744073709551616\n", 4,
	    "is too large");
	fails(REQUIRED "max_file_size = 17179869184G\n", 4, "is too large");
	fails(REQUIRED "max_file_size = 99999999999999999999999K\n", 4,
	    "is too large");
	fails(REQUIRED "max_file_size = -1\n", 4, "is not a size");
	fails(REQUIRED "max_file_size = +1\n", 4, "is not a size");
	fails(REQUIRED "max_file_size = 1.5M\n", 4, "is not a size");
	fails(REQUIRED "max_file_size = 1 M\n", 4, "is not a size");
	fails(REQUIRED "max_file_size = 1MB\n", 4, "is not a size");
	fails(REQUIRED "max_file_size = 1T\n", 4, "is not a size");
	fails(REQUIRED "max_file_size = M\n", 4, "is not a size");
	fails(REQUIRED "max_file_size = 0x10\n", 4, "is not a size");
	fails(REQUIRED "max_file_size = lots\n", 4, "\"lots\" is not a size");
	fails(REQUIRED "max_file_size = 0\n", 4, "max_file_size must not be 0");
	fails(REQUIRED "max_submission_size = 0K\n", 4, "must not be 0");
	fails(REQUIRED "max_message_size = 0\n", 4, "must not be 0");
}

static void
test_integers(void **state)
{
	struct config cf;

	(void)state;
	load_ok(REQUIRED "max_files = 1000\nmax_uploads = 10000\n"
			 "max_workers = 256\n",
	    &cf);
	assert_int_equal(cf.max_files, 1000);
	assert_int_equal(cf.max_uploads, 10000);
	assert_int_equal(cf.max_workers, 256);
	load_ok(
	    REQUIRED "max_files = 1\nmax_uploads = 1\nmax_workers = 1\n", &cf);
	assert_int_equal(cf.max_files, 1);
	assert_int_equal(cf.max_uploads, 1);
	assert_int_equal(cf.max_workers, 1);

	fails(REQUIRED "max_files = 0\n", 4, "from 1 to 1000");
	fails(REQUIRED "max_files = 1001\n", 4, "from 1 to 1000");
	fails(REQUIRED "max_uploads = 10001\n", 4, "from 1 to 10000");
	fails(REQUIRED "max_workers = 257\n", 4, "from 1 to 256");
	fails(REQUIRED "max_workers = -2\n", 4, "from 1 to 256");
	fails(REQUIRED "max_workers = 2K\n", 4, "from 1 to 256");
	fails(REQUIRED "max_workers = 99999999999999999999999\n", 4,
	    "from 1 to 256");
}

static void
test_booleans_and_lang(void **state)
{
	struct config cf;

	(void)state;
	load_ok(REQUIRED "allow_nonlocal = no\n", &cf);
	assert_int_equal(cf.allow_nonlocal, 0);
	load_ok(REQUIRED "allow_nonlocal = yes\n", &cf);
	assert_int_equal(cf.allow_nonlocal, 1);
	fails(REQUIRED "allow_nonlocal = true\n", 4, "must be yes or no");
	fails(REQUIRED "allow_nonlocal = YES\n", 4, "must be yes or no");
	fails(REQUIRED "default_lang = e\n", 4, "not a language tag");
	fails(REQUIRED "default_lang = engl\n", 4, "not a language tag");
	fails(REQUIRED "default_lang = EN\n", 4, "not a language tag");
	fails(REQUIRED "default_lang = pt-br\n", 4, "not a language tag");
	fails(REQUIRED "default_lang = pt-BRA\n", 4, "not a language tag");
	fails(REQUIRED "default_lang = pt-\n", 4, "not a language tag");
	fails(REQUIRED "default_lang = ../en\n", 4, "not a language tag");
}

/* The two choices about files the stripper cannot clean. */
static void
test_stripping_choices(void **state)
{
	struct config cf;

	(void)state;
	load_ok(REQUIRED "uncleanable = store\n", &cf);
	assert_int_equal(cf.uncleanable, CONFIG_UNCLEANABLE_STORE);
	load_ok(REQUIRED "uncleanable = refuse\n", &cf);
	assert_int_equal(cf.uncleanable, CONFIG_UNCLEANABLE_REFUSE);
	fails(REQUIRED "uncleanable = reject\n", 4,
	    "uncleanable: \"reject\" is not a choice: store (keep such a file "
	    "as uploaded, marked NOT CLEANED) or refuse (refuse the "
	    "submission)");
	fails(REQUIRED "uncleanable = Refuse\n", 4, "is not a choice");
	fails(REQUIRED "uncleanable = yes\n", 4, "is not a choice");
	fails(REQUIRED "uncleanable =\n", 4, "uncleanable has no value");
	fails(REQUIRED "uncleanable = store\nuncleanable = refuse\n", 5,
	    "uncleanable given twice (first on line 4)");
	load_ok(REQUIRED "keep_original = yes\n", &cf);
	assert_int_equal(cf.keep_original, 1);
	load_ok(REQUIRED "keep_original = no\n", &cf);
	assert_int_equal(cf.keep_original, 0);
	fails(REQUIRED "keep_original = 1\n", 4,
	    "keep_original must be yes or no");
	fails(REQUIRED "keep_original = on\n", 4, "must be yes or no");
}

/* ---- paths ------------------------------------------------------------- */

static void
test_relative_paths(void **state)
{
	char want[CONFIG_PATH_MAX + 32];
	struct config cf;

	(void)state;
	load_ok("listen = unix:run/p.sock\nstate_dir = state\n"
		"recipients_file = keys/recipients.txt\n"
		"templates_dir = /usr/share/postern/templates\n",
	    &cf);
	snprintf(want, sizeof(want), "%s/state", tmpdir);
	assert_string_equal(cf.state_dir, want);
	snprintf(want, sizeof(want), "%s/keys/recipients.txt", tmpdir);
	assert_string_equal(cf.recipients_file, want);
	assert_string_equal(cf.templates_dir, "/usr/share/postern/templates");
	snprintf(want, sizeof(want), "%s/run/p.sock", tmpdir);
	assert_int_equal(cf.listen_unix, 1);
	assert_string_equal(cf.listen_path, want);
	load_ok(REQUIRED "templates_dir = ../t\n", &cf);
	snprintf(want, sizeof(want), "%s/../t", tmpdir);
	assert_string_equal(cf.templates_dir, want);
}

/*
 * A path that does not fit once resolved: a config deep enough that its
 * directory plus a long relative value passes CONFIG_PATH_MAX.
 */
static void
test_path_too_long(void **state)
{
	char dir[CONFIG_PATH_MAX], name[201], text[CONFIG_LINE_MAX + 128];
	char err[CONFIG_ERRLEN] = "", want[64];
	const char *path;
	struct config cf;
	size_t len;
	int rc;

	(void)state;
	memset(name, 'd', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	len = (size_t)snprintf(dir, sizeof(dir), "%s", tmpdir);
	while (len + 1 + strlen(name) < 3600) {
		len +=
		    (size_t)snprintf(dir + len, sizeof(dir) - len, "/%s", name);
		assert_true(mkdir(dir, 0755) == 0 || errno == EEXIST);
	}
	snprintf(text, sizeof(text),
	    "listen = unix:/s\n"
	    "recipients_file = r\nstate_dir = %0800d\n",
	    0);
	path = write_in(dir, text, strlen(text));
	/* the message keeps the line and reason, and the path's tail */
	assert_int_equal(config_load(&cf, path, err, sizeof(err)), -1);
	if (strncmp(err, "...", 3) != 0 ||
	    strstr(err, strrchr(path, '/')) == NULL ||
	    strstr(err,
		".conf:3: state_dir: the path is too long "
		"(over 4095 bytes once resolved)") == NULL) {
		print_error(
		    "expected: \"...%s:3: state_dir: the path is too "
		    "long (over 4095 bytes once resolved)\"\ngot: \"%s\"\n",
		    strrchr(path, '/'), err);
		fail();
	}
	/* the same file by a short relative path: the whole prefix shows */
	assert_int_equal(chdir(dir), 0);
	rc = config_load(&cf, strrchr(path, '/') + 1, err, sizeof(err));
	assert_int_equal(chdir(cwd), 0);
	snprintf(want, sizeof(want), "%s:3: state_dir: the path is too long",
	    strrchr(path, '/') + 1);
	if (rc != -1 || strncmp(err, want, strlen(want)) != 0) {
		print_error(
		    "expected: -1 \"%s...\"\ngot: %d \"%s\"\n", want, rc, err);
		fail();
	}
	/* an absolute value does not depend on where the config is */
	snprintf(text, sizeof(text), REQUIRED "templates_dir = /%0800d\n", 0);
	path = write_in(dir, text, strlen(text));
	if (config_load(&cf, path, err, sizeof(err)) != 0) {
		print_error("expected: 0\ngot: -1 \"%s\"\n", err);
		fail();
	}
	assert_int_equal(strlen(cf.templates_dir), 801);
}

/* ---- listen ------------------------------------------------------------ */

static void
test_listen_local(void **state)
{
	char text[CONFIG_LINE_MAX], sock[200];
	struct config cf;

	(void)state;
	load_ok("listen = 127.1.2.3:1\nstate_dir = /s\nrecipients_file = /r\n",
	    &cf);
	assert_int_equal(cf.listen_unix, 0);
	assert_string_equal(cf.listen_host, "127.1.2.3");
	assert_int_equal(cf.listen_port, 1);
	load_ok("listen = [::1]:65535\nstate_dir = /s\nrecipients_file = /r\n",
	    &cf);
	assert_string_equal(cf.listen_host, "::1");
	assert_int_equal(cf.listen_port, 65535);
	load_ok("listen = [0:0::1]:80\nstate_dir = /s\nrecipients_file = /r\n",
	    &cf);
	assert_string_equal(cf.listen_host, "0:0::1");
	load_ok("listen = unix:/run/postern/posternd.sock\nstate_dir = /s\n"
		"recipients_file = /r\n",
	    &cf);
	assert_int_equal(cf.listen_unix, 1);
	assert_string_equal(cf.listen_path, "/run/postern/posternd.sock");
	assert_string_equal(cf.listen_host, "");
	assert_int_equal(cf.listen_port, 0);

	/* sun_path holds 107 bytes and the NUL */
	memset(sock, 'a', sizeof(sock));
	snprintf(text, sizeof(text),
	    "listen = unix:/%.106s\n"
	    "state_dir = /s\nrecipients_file = /r\n",
	    sock);
	load_ok(text, &cf);
	assert_int_equal(strlen(cf.listen_path), 107);
	snprintf(text, sizeof(text),
	    "state_dir = /s\nrecipients_file = /r\n"
	    "listen = unix:/%.107s\n",
	    sock);
	fails(text, 3, "listen: the socket path is too long");
	/* relative: it is the resolved path that must fit */
	snprintf(text, sizeof(text), "listen = unix:%.100s\n", sock);
	fails(text, 1, "socket path is too long");
}

static void
test_listen_refused(void **state)
{
	static const char *nonlocal[] = {
	    "0.0.0.0:80",
	    "10.0.0.1:80",
	    "[::]:80",
	    "192.168.1.2:8080",
	    "128.0.0.1:80",
	    "[::ffff:127.0.0.1]:80",
	    "[fe80::1]:80",
	};
	char text[256];
	struct config cf;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(nonlocal) / sizeof(nonlocal[0]); i++) {
		snprintf(text, sizeof(text),
		    "state_dir = /s\n"
		    "listen = %s\nrecipients_file = /r\n",
		    nonlocal[i]);
		fails(text, 2,
		    "posternd listens only on loopback or a Unix "
		    "socket: tor reaches it there; set allow_nonlocal = yes "
		    "to override");
		/* allow_nonlocal counts wherever it is: after listen... */
		snprintf(text, sizeof(text),
		    "state_dir = /s\n"
		    "listen = %s\nrecipients_file = /r\n"
		    "allow_nonlocal = yes\n",
		    nonlocal[i]);
		load_ok(text, &cf);
		assert_int_equal(cf.allow_nonlocal, 1);
		/* ...or before it; and "no" is no override */
		snprintf(text, sizeof(text),
		    "allow_nonlocal = no\n"
		    "state_dir = /s\nlisten = %s\nrecipients_file = /r\n",
		    nonlocal[i]);
		fails(text, 3, "set allow_nonlocal = yes to override");
	}
	load_ok("allow_nonlocal = yes\nlisten = [::]:80\nstate_dir = /s\n"
		"recipients_file = /r\n",
	    &cf);
	assert_string_equal(cf.listen_host, "::");
	assert_int_equal(cf.listen_port, 80);

	/* names are never resolved, even with the override */
	fails("allow_nonlocal = yes\nlisten = localhost:80\n", 2,
	    "\"localhost:80\" is not a numeric IPv4 address");
	fails("listen = localhost-not-numeric:80\n", 1, "not a numeric");
	fails("listen = [localhost]:80\n", 1, "not a numeric IPv6 address");
	fails("listen = 127.1:80\n", 1, "not a numeric IPv4 address");
	fails("listen = :80\n", 1, "not a numeric");
	fails("listen = []:80\n", 1, "not a numeric");
	fails("listen = [fe80::1%lo]:80\n", 1, "not a numeric IPv6");
	fails("listen = ::1:80\n", 1, "put an IPv6 address in brackets");
	fails("listen = 127.0.0.1\n", 1, "expected unix:PATH");
	fails("listen = [::1]\n", 1, "expected unix:PATH");
	fails("listen = [::1]80\n", 1, "expected unix:PATH");
	fails("listen = unix:\n", 1, "unix: needs a socket path");
	fails("listen = 127.0.0.1:0\n", 1, "port must be a number from 1");
	fails("listen = 127.0.0.1:65536\n", 1, "port must be a number");
	fails("listen = 127.0.0.1:-1\n", 1, "port must be a number");
	fails("listen = 127.0.0.1:http\n", 1, "port must be a number");
	fails("listen = 127.0.0.1:80 x\n", 1, "port must be a number");
	fails("listen = 127.0.0.1:80\t8\n", 1, "control character");
}

/* A caller may pass no error buffer at all. */
static void
test_null_err(void **state)
{
	struct config cf;

	(void)state;
	assert_int_equal(config_load(&cf, write_conf("bogus\n"), NULL, 0), -1);
	assert_int_equal(config_load(&cf, write_conf(REQUIRED), NULL, 0), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_minimal_file),
	    cmocka_unit_test(test_sample_loads),
	    cmocka_unit_test(test_sample_defaults_match),
	    cmocka_unit_test(test_stripping_choices),
	    cmocka_unit_test(test_syntax_accepted),
	    cmocka_unit_test(test_syntax_errors),
	    cmocka_unit_test(test_line_length),
	    cmocka_unit_test(test_whole_file_errors),
	    cmocka_unit_test(test_sizes),
	    cmocka_unit_test(test_integers),
	    cmocka_unit_test(test_booleans_and_lang),
	    cmocka_unit_test(test_relative_paths),
	    cmocka_unit_test(test_path_too_long),
	    cmocka_unit_test(test_listen_local),
	    cmocka_unit_test(test_listen_refused),
	    cmocka_unit_test(test_null_err),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
