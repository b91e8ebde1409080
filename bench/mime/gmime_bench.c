/* bench/mime/gmime_bench.c — the GMime 3 side of the MIME parse benchmark, the same two
 * measures as mime_bench.cpp over the same inputs, run by bench/mime/run.
 *
 * Usage: gmime_bench [--min-seconds S] [--measure parse|decode|all] PATH...
 *
 * Every PATH is a message file or a directory of message files (not starting with a dot,
 * read in name order), all read into memory first. Each message is parsed by
 * g_mime_parser_construct_message over a memory stream wrapping the loaded bytes without
 * copying them; the parser keeps substreams of it for the contents (GMime's default
 * "persist stream" mode), as libmailfountain keeps offsets. Measures:
 *   parse   build the tree, walk every part (into message/rfc822 parts too) and read its
 *           content type;
 *   decode  the same, then write every leaf's content through its transfer decoder into a
 *           memory stream, text leaves through a charset filter to UTF-8 as
 *           g_mime_text_part_get_text does (an unknown charset is counted and the decoded
 *           bytes kept, as mime_bench does).
 * Output: one RESULT line per measure, in mime_bench's format, with impl=gmime.
 */
#include <gmime/gmime.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef enum { MEASURE_PARSE, MEASURE_DECODE } Measure;

typedef struct {
  size_t parts;
  size_t errors;
  size_t sink; /* sizes summed so that no work can be skipped */
} Counts;

typedef struct {
  GPtrArray* messages; /* of GByteArray* */
  size_t total_bytes;
} Inputs;

static int read_file(const char* path, Inputs* in) {
  gchar* data = NULL;
  gsize len = 0;
  if (!g_file_get_contents(path, &data, &len, NULL)) return 0;
  g_ptr_array_add(in->messages, g_byte_array_new_take((guint8*)data, len));
  in->total_bytes += len;
  return 1;
}

static int compare_names(const void* a, const void* b) {
  return strcmp(*(char* const*)a, *(char* const*)b);
}

static int load(const char* path, Inputs* in) {
  if (!g_file_test(path, G_FILE_TEST_IS_DIR)) return read_file(path, in);
  DIR* dir = opendir(path);
  if (dir == NULL) return 0;
  GPtrArray* names = g_ptr_array_new_with_free_func(g_free);
  struct dirent* entry;
  while ((entry = readdir(dir)) != NULL) {
    char* full = g_build_filename(path, entry->d_name, NULL);
    if (entry->d_name[0] != '.' && g_file_test(full, G_FILE_TEST_IS_REGULAR)) {
      g_ptr_array_add(names, full);
    } else {
      g_free(full);
    }
  }
  closedir(dir);
  qsort(names->pdata, names->len, sizeof(char*), compare_names);
  int ok = 1;
  for (guint i = 0; ok && i < names->len; ++i) ok = read_file(names->pdata[i], in);
  g_ptr_array_free(names, TRUE);
  return ok;
}

static void decode_leaf(GMimePart* part, Counts* c) {
  GMimeDataWrapper* content = g_mime_part_get_content(part);
  if (content == NULL) return;
  GMimeStream* out = g_mime_stream_mem_new();
  const char* charset = NULL;
  if (GMIME_IS_TEXT_PART(part)) {
    charset = g_mime_object_get_content_type_parameter((GMimeObject*)part, "charset");
  }
  GMimeFilter* filter = charset != NULL ? g_mime_filter_charset_new(charset, "utf-8") : NULL;
  if (charset != NULL && filter == NULL) ++c->errors; /* unknown charset */
  if (filter != NULL) {
    GMimeStream* filtered = g_mime_stream_filter_new(out);
    g_mime_stream_filter_add((GMimeStreamFilter*)filtered, filter);
    g_object_unref(filter);
    g_mime_data_wrapper_write_to_stream(content, filtered);
    g_mime_stream_flush(filtered);
    g_object_unref(filtered);
  } else {
    g_mime_data_wrapper_write_to_stream(content, out);
  }
  c->sink += g_mime_stream_mem_get_byte_array((GMimeStreamMem*)out)->len;
  g_object_unref(out);
}

static void walk(GMimeObject* obj, Measure measure, Counts* c) {
  ++c->parts;
  GMimeContentType* ct = g_mime_object_get_content_type(obj);
  c->sink += strlen(g_mime_content_type_get_media_type(ct)) +
             strlen(g_mime_content_type_get_media_subtype(ct));
  if (GMIME_IS_MULTIPART(obj)) {
    GMimeMultipart* mp = (GMimeMultipart*)obj;
    int n = g_mime_multipart_get_count(mp);
    for (int i = 0; i < n; ++i) walk(g_mime_multipart_get_part(mp, i), measure, c);
  } else if (GMIME_IS_MESSAGE_PART(obj)) {
    GMimeMessage* inner = g_mime_message_part_get_message((GMimeMessagePart*)obj);
    GMimeObject* body = inner != NULL ? g_mime_message_get_mime_part(inner) : NULL;
    if (body != NULL) walk(body, measure, c);
  } else if (measure == MEASURE_DECODE && GMIME_IS_PART(obj)) {
    decode_leaf((GMimePart*)obj, c);
  }
}

static void process(GByteArray* bytes, Measure measure, Counts* c) {
  GMimeStream* stream = g_mime_stream_mem_new_with_byte_array(bytes);
  g_mime_stream_mem_set_owner((GMimeStreamMem*)stream, FALSE);
  GMimeParser* parser = g_mime_parser_new_with_stream(stream);
  GMimeMessage* message = g_mime_parser_construct_message(parser, NULL);
  g_object_unref(parser);
  GMimeObject* root = message != NULL ? g_mime_message_get_mime_part(message) : NULL;
  if (root != NULL) {
    walk(root, measure, c);
  } else {
    ++c->errors;
  }
  if (message != NULL) g_object_unref(message);
  g_object_unref(stream);
}

/* CPU time (user and system) for the measure, as mime_bench; wall time for reference. */
static double now_seconds(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void run(const Inputs* in, Measure measure, double min_seconds) {
  const char* name = measure == MEASURE_PARSE ? "parse" : "decode";
  Counts warm = {0, 0, 0};
  guint warm_count = in->messages->len < 100 ? in->messages->len : 100;
  for (guint i = 0; i < warm_count; ++i) process(in->messages->pdata[i], measure, &warm);

  Counts pass = {0, 0, 0};
  size_t passes = 0;
  size_t sink = warm.sink;
  double elapsed = 0; /* CPU seconds */
  double wall = 0;
  do { /* at least one pass, then whole passes until min_seconds */
    Counts fresh = {0, 0, 0};
    pass = fresh;
    double start = now_seconds(CLOCK_PROCESS_CPUTIME_ID);
    double wall_start = now_seconds(CLOCK_MONOTONIC);
    for (guint i = 0; i < in->messages->len; ++i) process(in->messages->pdata[i], measure, &pass);
    elapsed += now_seconds(CLOCK_PROCESS_CPUTIME_ID) - start;
    wall += now_seconds(CLOCK_MONOTONIC) - wall_start;
    sink += pass.sink;
    ++passes;
  } while (elapsed < min_seconds);
  printf(
      "RESULT impl=gmime measure=%s messages=%u bytes=%zu passes=%zu seconds=%.6f wall=%.6f "
      "parts=%zu errors=%zu\n",
      name, in->messages->len, in->total_bytes, passes, elapsed, wall, pass.parts, pass.errors);
  fflush(stdout);
  fprintf(stderr, "gmime %s: checksum %zu\n", name, sink);
}

static int usage(void) {
  fprintf(stderr, "usage: gmime_bench [--min-seconds S] [--measure parse|decode|all] PATH...\n");
  return 2;
}

int main(int argc, char** argv) {
  double min_seconds = 2.0;
  const char* measure = "all";
  Inputs in = {g_ptr_array_new_with_free_func((GDestroyNotify)g_byte_array_unref), 0};
  for (int i = 1; i < argc; ++i) {
    if (strcmp(argv[i], "--min-seconds") == 0 && i + 1 < argc) {
      min_seconds = atof(argv[++i]);
    } else if (strcmp(argv[i], "--measure") == 0 && i + 1 < argc) {
      measure = argv[++i];
    } else if (strncmp(argv[i], "--", 2) == 0) {
      return usage();
    } else if (!load(argv[i], &in)) {
      fprintf(stderr, "gmime_bench: cannot read %s\n", argv[i]);
      return 1;
    }
  }
  int parse = strcmp(measure, "parse") == 0;
  int decode = strcmp(measure, "decode") == 0;
  int all = strcmp(measure, "all") == 0;
  if (in.messages->len == 0 || !(parse || decode || all)) return usage();

  g_mime_init();
  if (!decode) run(&in, MEASURE_PARSE, min_seconds);
  if (!parse) run(&in, MEASURE_DECODE, min_seconds);
  g_mime_shutdown();
  g_ptr_array_free(in.messages, TRUE);
  return 0;
}
