//===- HostRun.cpp - build and run generated C on the host -----------------===//
//
// Folder layout (temporary, or --keep DIR):
//   model/          the generated folder, flat, as `dnnopt compile` writes it
//   harness.c       the driver program (harnessSource below)
//   inputI.bin      raw little-endian bytes of graph input I
//   outputJ.bin     written by the harness
//   cc.log          the compiler's messages
//   run.out, run.log the harness's standard output (its view of NAME.h) and errors
//   rerun.sh        the build (one cc command) and run commands, to reproduce by hand
//
//===----------------------------------------------------------------------===//
#include "backends/c/HostRun.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/StringSaver.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

#include <cfloat>
#include <cmath>
#include <cstdlib>
#include <set>
#include <sstream>
#include <unistd.h>

using namespace mlir;
namespace fs = llvm::sys::fs;
namespace path = llvm::sys::path;
using dnnopt::engine::DType;
using dnnopt::engine::Tensor;

namespace dnnopt {

namespace {

/// The driver program. It is specific to the model only in the header it
/// includes and in the macro names it lists (one table row per tensor); every
/// number comes from NAME.h.
std::string harnessSource(const std::string &n, size_t numInputs, size_t numOutputs) {
  std::ostringstream c;
  c << "/* harness.c - written by dnnopt (backends/c/HostRun.cpp) to run " << n << "_run on the host.\n"
    << " * usage: harness IN_0.bin ... OUT_0.bin ...  (" << n << "_NUM_INPUTS input files, then\n"
    << " * " << n << "_NUM_OUTPUTS output files; raw little-endian data)\n"
    << " * Uses nothing of the model but the macros of " << n << ".h. Prints each tensor's macros,\n"
    << " * runs " << n << "_run twice (outputs pre-filled with 0xFF, then 0x00) and checks: it returns\n"
    << " * 0, writes nothing past an output, leaves the inputs unchanged, and both runs give\n"
    << " * identical outputs (every element written, no state carried over in the arena).\n"
    << " * Exit code 0, or 1 with a message on stderr. */\n"
    << "#include \"" << n << ".h\"\n\n"
    << "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n\n"
    << "#define STR_(x) #x\n#define STR(x) STR_(x)\n"
    << "#define MODEL_RUN " << n << "_run\n"
    << "#define NUM_INPUTS " << n << "_NUM_INPUTS\n#define NUM_OUTPUTS " << n << "_NUM_OUTPUTS\n"
    << "#define GUARD_BYTES 64\n#define GUARD_VALUE 0xA5\n\n"
    << "struct tensor {\n  const char *name, *type;\n  int rank;\n  const long *shape;\n"
    << "  int shape_len;\n  long size, bytes;\n  size_t elem_size;\n};\n\n";
  auto rows = [&](const char *macro, size_t count, const char *lower) {
    for (size_t i = 0; i < count; ++i)
      c << "static const long " << lower << i << "_shape[] = " << n << "_" << macro << i << "_SHAPE;\n";
  };
  rows("INPUT", numInputs, "input");
  rows("OUTPUT", numOutputs, "output");
  c << "\n/* Inputs, then outputs (one extra row: C99 has no empty arrays). */\n"
    << "static const struct tensor tensors[NUM_INPUTS + NUM_OUTPUTS + 1] = {\n";
  auto table = [&](const char *macro, size_t count, const char *lower) {
    for (size_t i = 0; i < count; ++i) {
      std::string p = n + "_" + macro + std::to_string(i) + "_";
      std::string s = std::string(lower) + std::to_string(i) + "_shape";
      c << "  {" << p << "NAME, STR(" << p << "TYPE), " << p << "RANK, " << s << ", (int)(sizeof " << s
        << " / sizeof " << s << "[0]),\n   " << p << "SIZE, " << p << "BYTES, sizeof(" << p << "TYPE)},\n";
    }
  };
  table("INPUT", numInputs, "input");
  table("OUTPUT", numOutputs, "output");
  c << "  {0, 0, 0, 0, 0, 0, 0, 0}\n};\n\n";
  c << R"C(static const char *kind(int t) { return t < NUM_INPUTS ? "input" : "output"; }
static int number(int t) { return t < NUM_INPUTS ? t : t - NUM_INPUTS; }

/* One line per tensor; the compiler checks it against what it emitted. */
static int describe(int t)
{
  const struct tensor *d = &tensors[t];
  long n = 1;
  int k;
  printf("%s %d type=%s rank=%d shape=", kind(t), number(t), d->type, d->rank);
  for (k = 0; k < d->rank && k < d->shape_len; k++)
    printf("%s%ld", k ? "x" : "", d->shape[k]);
  printf(" size=%ld bytes=%ld\n", d->size, d->bytes);
  for (k = 0; k < d->shape_len; k++)
    n *= d->shape[k];
  if (d->rank == 0 ? !(d->shape_len == 1 && d->shape[0] == 1) : d->rank != d->shape_len) {
    fprintf(stderr, "harness: %s %d: RANK %d does not match SHAPE\n", kind(t), number(t), d->rank);
    return 1;
  }
  if (n != d->size || (long)d->elem_size * d->size != d->bytes) {
    fprintf(stderr, "harness: %s %d: SHAPE, SIZE %ld and BYTES %ld disagree\n", kind(t), number(t), d->size,
            d->bytes);
    return 1;
  }
  return 0;
}

/* Exactly `bytes` bytes (a sanitizer sees any read past them). */
static unsigned char *read_input(int t, const char *path)
{
  long bytes = tensors[t].bytes;
  unsigned char *p = (unsigned char *)malloc(bytes ? (size_t)bytes : 1);
  FILE *f = fopen(path, "rb");
  if (!f || !p) {
    fprintf(stderr, "harness: cannot read %s\n", path);
    if (f)
      fclose(f);
    free(p);
    return NULL;
  }
  if ((long)fread(p, 1, (size_t)bytes, f) != bytes || fgetc(f) != EOF) {
    fprintf(stderr, "harness: %s: input %d (%s) needs exactly %ld bytes\n", path, number(t), tensors[t].name,
            bytes);
    fclose(f);
    free(p);
    return NULL;
  }
  fclose(f);
  return p;
}

static long first_difference(const unsigned char *a, const unsigned char *b, long bytes)
{
  long k;
  for (k = 0; k < bytes; k++)
    if (a[k] != b[k])
      return k;
  return -1;
}

static void *outputs[NUM_OUTPUTS + 1];

/* One inference with the outputs pre-filled with `fill`; checks the guard bytes. */
static int run(const void *const *inputs, int fill)
{
  int j, r;
  for (j = 0; j < NUM_OUTPUTS; j++) {
    long bytes = tensors[NUM_INPUTS + j].bytes;
    memset(outputs[j], fill, (size_t)bytes);
    memset((unsigned char *)outputs[j] + bytes, GUARD_VALUE, GUARD_BYTES);
  }
  r = MODEL_RUN(inputs, outputs);
  if (r != 0) {
    fprintf(stderr, "harness: " STR(MODEL_RUN) " returned %d\n", r);
    return 1;
  }
  for (j = 0; j < NUM_OUTPUTS; j++) {
    const unsigned char *g = (const unsigned char *)outputs[j] + tensors[NUM_INPUTS + j].bytes;
    int k;
    for (k = 0; k < GUARD_BYTES; k++)
      if (g[k] != GUARD_VALUE) {
        fprintf(stderr, "harness: " STR(MODEL_RUN) " wrote past the end of output %d (%ld bytes)\n", j,
                tensors[NUM_INPUTS + j].bytes);
        return 1;
      }
  }
  return 0;
}

int main(int argc, char **argv)
{
  const void *inputs[NUM_INPUTS + 1];
  unsigned char *saved[NUM_INPUTS + NUM_OUTPUTS + 1]; /* inputs as read, outputs of the first run */
  int t, status = 1;
  for (t = 0; t < NUM_INPUTS + NUM_OUTPUTS + 1; t++) {
    saved[t] = NULL;
    if (t < NUM_INPUTS)
      inputs[t] = NULL;
    if (t < NUM_OUTPUTS)
      outputs[t] = NULL;
  }
  if (argc != 1 + NUM_INPUTS + NUM_OUTPUTS) {
    fprintf(stderr, "usage: %s, then %d input and %d output files\n", argv[0], NUM_INPUTS, NUM_OUTPUTS);
    return 1;
  }
  for (t = 0; t < NUM_INPUTS + NUM_OUTPUTS; t++)
    if (describe(t))
      return 1;
  fflush(stdout);
  for (t = 0; t < NUM_INPUTS + NUM_OUTPUTS; t++) {
    saved[t] = (unsigned char *)malloc((size_t)tensors[t].bytes + 1);
    if (t < NUM_INPUTS) {
      inputs[t] = read_input(t, argv[1 + t]);
      if (inputs[t] == NULL)
        goto done;
    } else {
      outputs[t - NUM_INPUTS] = malloc((size_t)tensors[t].bytes + GUARD_BYTES);
    }
    if (saved[t] == NULL || (t >= NUM_INPUTS && outputs[t - NUM_INPUTS] == NULL)) {
      fprintf(stderr, "harness: out of memory\n");
      goto done;
    }
    if (t < NUM_INPUTS)
      memcpy(saved[t], inputs[t], (size_t)tensors[t].bytes);
  }
  if (run(inputs, 0xFF))
    goto done;
  for (t = NUM_INPUTS; t < NUM_INPUTS + NUM_OUTPUTS; t++)
    memcpy(saved[t], outputs[t - NUM_INPUTS], (size_t)tensors[t].bytes);
  if (run(inputs, 0x00))
    goto done;
  for (t = 0; t < NUM_INPUTS + NUM_OUTPUTS; t++) {
    const struct tensor *d = &tensors[t];
    const void *now = t < NUM_INPUTS ? inputs[t] : outputs[t - NUM_INPUTS];
    long k = first_difference(saved[t], (const unsigned char *)now, d->bytes);
    if (k < 0)
      continue;
    if (t < NUM_INPUTS)
      fprintf(stderr, "harness: " STR(MODEL_RUN) " modified input %d (%s), element %ld\n", t, d->name,
              k / (long)d->elem_size);
    else
      fprintf(stderr,
              "harness: output %d (%s) element %ld differs between two runs: not written by every run, "
              "or it depends on the arena's previous contents\n",
              t - NUM_INPUTS, d->name, k / (long)d->elem_size);
    goto done;
  }
  for (t = NUM_INPUTS; t < NUM_INPUTS + NUM_OUTPUTS; t++) {
    const char *path = argv[1 + t];
    FILE *f = fopen(path, "wb");
    long bytes = tensors[t].bytes;
    size_t written = f ? fwrite(outputs[t - NUM_INPUTS], 1, (size_t)bytes, f) : 0;
    if (!f || fclose(f) != 0 || (long)written != bytes) {
      fprintf(stderr, "harness: cannot write %s\n", path);
      goto done;
    }
  }
  status = 0;
done:
  for (t = 0; t < NUM_INPUTS + NUM_OUTPUTS; t++) {
    free(saved[t]);
    if (t < NUM_INPUTS)
      free((void *)inputs[t]);
    else
      free(outputs[t - NUM_INPUTS]);
  }
  return status;
}
)C";
  return c.str();
}

/// The line the harness prints for a tensor, from what the compiler returned.
std::string describeLine(const char *kind, size_t i, const CTensorInfo &t) {
  std::string dims;
  for (int64_t d : t.shape) dims += (dims.empty() ? "" : "x") + std::to_string(d);
  return std::string(kind) + " " + std::to_string(i) + " type=" + t.cType + " rank=" + std::to_string(t.shape.size()) +
         " shape=" + dims + " size=" + std::to_string(t.numel) + " bytes=" + std::to_string(t.bytes);
}

std::string shellQuote(llvm::StringRef s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+=./,:") ==
                        llvm::StringRef::npos)
    return s.str();
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string commandLine(llvm::ArrayRef<std::string> args) {
  std::string s;
  for (const std::string &a : args) s += (s.empty() ? "" : " ") + shellQuote(a);
  return s;
}

std::string writeFile(const llvm::Twine &file, llvm::StringRef contents) {
  std::error_code ec;
  llvm::raw_fd_ostream os(file.str(), ec);
  if (!ec) {
    os << contents;
    os.close();
    if (os.has_error()) ec = os.error();
  }
  return ec ? file.str() + ": " + ec.message() : "";
}

/// At most `limit` characters of a log file, for an error message.
std::string readLog(const llvm::Twine &file, size_t limit = 6000) {
  auto buf = llvm::MemoryBuffer::getFile(file, /*IsText=*/true);
  if (!buf) return "";
  llvm::StringRef s = (*buf)->getBuffer().rtrim();
  if (s.size() <= limit) return s.str();
  return s.take_front(limit).str() + "\n[... " + std::to_string(s.size() - limit) + " more bytes in " + file.str() +
         "]";
}

/// The folder to work in: `keep` (replacing an earlier HostRun folder) or a fresh
/// temporary one, removed by the destructor.
struct WorkDir {
  llvm::SmallString<256> path;
  bool keep = false;
  ~WorkDir() {
    if (!keep && !path.empty()) fs::remove_directories(path);
  }
  std::string create(const std::string &keepDir) {
    if (keepDir.empty()) {
      if (std::error_code ec = fs::createUniqueDirectory("dnnopt-hostrun", path))
        return "cannot create a temporary folder: " + ec.message();
      return "";
    }
    keep = true;
    path = keepDir;
    if (std::error_code ec = fs::make_absolute(path)) return keepDir + ": " + ec.message();
    if (fs::exists(path)) {
      bool empty = true;
      std::error_code ec;
      fs::directory_iterator it(path, ec);
      if (!ec && it != fs::directory_iterator()) empty = false;
      if (!fs::is_directory(path) || (!empty && !fs::exists(path + "/harness.c")))
        return keepDir + ": exists and is not an earlier build folder (no harness.c); refusing to replace it";
      if (std::error_code rm = fs::remove_directories(path)) return keepDir + ": " + rm.message();
    }
    if (std::error_code ec = fs::create_directories(path)) return keepDir + ": " + ec.message();
    return "";
  }
};

/// Runs `args` (args[0] resolved on PATH) with stdin from /dev/null and stdout and
/// stderr to files (the same file is fine). Returns "" when it exits with 0, else
/// what happened.
std::string execute(llvm::ArrayRef<std::string> args, const std::string &out, const std::string &err,
                    unsigned timeout, std::optional<llvm::ArrayRef<llvm::StringRef>> env = std::nullopt) {
  llvm::ErrorOr<std::string> program = llvm::sys::findProgramByName(args[0]);
  if (!program) return "'" + args[0] + "' not found";
  std::vector<llvm::StringRef> refs(args.begin(), args.end());
  std::optional<llvm::StringRef> redirects[] = {llvm::StringRef(""), llvm::StringRef(out), llvm::StringRef(err)};
  std::string message;
  bool execFailed = false;
  int rc = llvm::sys::ExecuteAndWait(*program, refs, env, redirects, timeout, 0, &message, &execFailed);
  if (execFailed) return "cannot execute '" + args[0] + "': " + message;
  if (rc == 0) return "";
  if (message == "Child timed out") return "timed out after " + std::to_string(timeout) + " s";
  return message.empty() ? "exit code " + std::to_string(rc) : message;
}

/// `file` and the headers of `files` it includes, directly or not (`#include "X"`).
std::string withIncludedHeaders(const FileSet &files, const std::string &file) {
  std::string all;
  std::set<std::string> seen = {file};
  std::vector<std::string> todo = {file};
  while (!todo.empty()) {
    std::string f = todo.back();
    todo.pop_back();
    llvm::StringRef text = files.at(f);
    all += f + "\n" + text.str();
    llvm::SmallVector<llvm::StringRef> lines;
    text.split(lines, '\n');
    for (llvm::StringRef line : lines) {
      line = line.trim();
      if (!line.consume_front("#")) continue;
      line = line.ltrim();
      if (!line.consume_front("include")) continue;
      llvm::StringRef name = line.trim();
      if (!name.consume_front("\"")) continue;
      name = name.take_until([](char c) { return c == '"'; });
      if (files.count(name.str()) && seen.insert(name.str()).second) todo.push_back(name.str());
    }
  }
  return all;
}

/// The environment of the program: ours, with sanitizer defaults unless the user
/// set them (no leak checking: it needs ptrace, which containers often forbid).
std::vector<std::string> runEnvironment() {
  std::vector<std::string> env;
  bool asan = false, ubsan = false;
  for (char **e = environ; *e; ++e) {
    llvm::StringRef s(*e);
    asan |= s.starts_with("ASAN_OPTIONS=");
    ubsan |= s.starts_with("UBSAN_OPTIONS=");
    env.push_back(s.str());
  }
  if (!asan) env.push_back("ASAN_OPTIONS=detect_leaks=0");
  if (!ubsan) env.push_back("UBSAN_OPTIONS=print_stacktrace=1");
  return env;
}

} // namespace

const std::vector<std::string> &hostSanitizerFlags() {
  static const std::vector<std::string> flags = {"-fsanitize=address,undefined", "-fno-sanitize-recover=all",
                                                 "-fno-omit-frame-pointer", "-g"};
  return flags;
}

FailureOr<DType> engineDType(const std::string &cDtype) {
  for (DType d : {DType::F32, DType::F64, DType::I8, DType::U8, DType::I16, DType::U16, DType::I32, DType::U32,
                  DType::I64, DType::Bool})
    if (cDtype == numpyName(d)) return d;
  return failure();
}

const char *numpyName(DType d) {
  switch (d) {
  case DType::F32: return "float32";
  case DType::F64: return "float64";
  case DType::I8: return "int8";
  case DType::U8: return "uint8";
  case DType::I16: return "int16";
  case DType::U16: return "uint16";
  case DType::I32: return "int32";
  case DType::U32: return "uint32";
  case DType::I64: return "int64";
  case DType::Bool: return "bool";
  }
  return "?";
}

std::string describeTensor(DType d, const std::vector<int64_t> &shape) {
  return std::string(numpyName(d)) + " " + engine::shapeString(shape);
}

std::string checkInput(const Tensor &t, const CTensorInfo &info) {
  FailureOr<DType> d = engineDType(info.dtype);
  if (failed(d)) return "input '" + info.name + "' has element type " + info.dtype + ", which the engine lacks";
  if (t.dtype == *d && t.shape == info.shape) return "";
  return "input '" + info.name + "' is " + describeTensor(t.dtype, t.shape) + ", the model needs " +
         describeTensor(*d, info.shape);
}

FailureOr<Tensor> patternInput(const CTensorInfo &info, size_t index) {
  FailureOr<DType> d = engineDType(info.dtype);
  if (failed(d)) return failure();
  Tensor t(*d, info.shape);
  uint32_t x = 0x9E3779B9u * (uint32_t)(index + 1);
  for (int64_t k = 0, n = t.numel(); k < n; ++k) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    double v;
    if (engine::isFloat(*d)) v = (double)x / 2147483648.0 - 1.0;
    else if (*d == DType::Bool) v = x >> 31;
    else if (engine::dtypeMin(*d) < 0) v = (double)(x >> 28) - 8;
    else v = x >> 28;
    t.set(k, v);
  }
  return t;
}

OutputDiff compareOutput(const Tensor &got, const Tensor &want, double rtol, double atol, int64_t intSteps) {
  OutputDiff d;
  if (got.shape != want.shape || engine::isFloat(got.dtype) != engine::isFloat(want.dtype)) {
    d.pass = false;
    d.problem = "got " + describeTensor(got.dtype, got.shape) + ", expected " + describeTensor(want.dtype, want.shape);
    return d;
  }
  int64_t n = want.numel();
  for (int64_t k = 0; k < n; ++k)
    if (std::isfinite(want.at(k))) d.scale = std::max(d.scale, std::fabs(want.at(k)));
  bool isFloat = engine::isFloat(want.dtype);
  int64_t worst = -1;
  double worstExcess = -1;
  for (int64_t k = 0; k < n; ++k) {
    double g = got.at(k), w = want.at(k), err = 0, tol = 0;
    bool ok;
    if (!isFloat) {
      err = std::fabs(g - w);
      ok = err <= (double)intSteps;
    } else if (std::isnan(g) || std::isnan(w) || std::isinf(g) || std::isinf(w)) {
      ok = std::isnan(g) ? std::isnan(w) : g == w;
    } else {
      err = std::fabs(g - w);
      tol = atol * d.scale + rtol * std::fabs(w);
      ok = err <= tol;
    }
    d.maxAbs = std::max(d.maxAbs, err);
    if (ok) continue;
    ++d.bad;
    double excess = std::isfinite(g) && std::isfinite(w) ? err - tol : HUGE_VAL;
    if (excess > worstExcess) worstExcess = excess, worst = k;
  }
  d.maxRel = d.maxAbs / std::max(d.scale, (double)FLT_MIN);
  if (d.bad) {
    d.pass = false;
    std::string index;
    int64_t rest = worst;
    std::vector<int64_t> strides = want.strides();
    for (size_t a = 0; a < strides.size(); ++a) {
      index += (a ? "," : "") + std::to_string(strides[a] ? rest / strides[a] : 0);
      if (strides[a]) rest %= strides[a];
    }
    char buf[200];
    snprintf(buf, sizeof buf, "%lld of %lld elements out of tolerance; worst at [%s]: got %.9g, expected %.9g",
             (long long)d.bad, (long long)n, index.c_str(), got.at(worst), want.at(worst));
    d.problem = buf;
  }
  return d;
}

FailureOr<std::vector<Tensor>> runOnHost(const FileSet &files, const std::string &name,
                                         const std::vector<CTensorInfo> &inputInfos,
                                         const std::vector<CTensorInfo> &outputInfos,
                                         const std::vector<Tensor> &inputs, const HostRunOptions &options,
                                         std::string &error) {
  auto fail = [&](const std::string &message) {
    error = message;
    return failure();
  };
  if (inputs.size() != inputInfos.size())
    return fail("the model has " + std::to_string(inputInfos.size()) + " inputs, " + std::to_string(inputs.size()) +
                " given");
  std::vector<DType> outputTypes;
  for (size_t i = 0; i < inputs.size(); ++i)
    if (std::string e = checkInput(inputs[i], inputInfos[i]); !e.empty()) return fail(e);
  for (const CTensorInfo &o : outputInfos) {
    FailureOr<DType> d = engineDType(o.dtype);
    if (failed(d)) return fail("output '" + o.name + "' has element type " + o.dtype + ", which the engine lacks");
    outputTypes.push_back(*d);
  }

  WorkDir work;
  if (std::string e = work.create(options.keepDir); !e.empty()) return fail(e);
  std::string dir = work.path.str().str();
  std::string modelDir = dir + "/model";
  if (std::error_code ec = fs::create_directory(modelDir)) return fail(modelDir + ": " + ec.message());

  // The folder, the harness and the inputs.
  std::vector<std::string> sources;
  for (const auto &[file, contents] : files) {
    if (llvm::StringRef(file).contains('/')) continue; // example/..., not part of the library
    if (std::string e = writeFile(modelDir + "/" + file, contents); !e.empty()) return fail(e);
    if (llvm::StringRef(file).ends_with(".c")) sources.push_back(modelDir + "/" + file);
  }
  if (!files.count(name + ".h")) return fail("the generated folder has no " + name + ".h");
  if (std::string e = writeFile(dir + "/harness.c", harnessSource(name, inputInfos.size(), outputInfos.size()));
      !e.empty())
    return fail(e);
  std::vector<std::string> runArgs = {dir + "/harness"};
  for (size_t i = 0; i < inputs.size(); ++i) {
    runArgs.push_back(dir + "/input" + std::to_string(i) + ".bin");
    if (std::string e = writeFile(runArgs.back(), engine::toRawBytes(inputs[i])); !e.empty()) return fail(e);
  }
  for (size_t j = 0; j < outputInfos.size(); ++j) runArgs.push_back(dir + "/output" + std::to_string(j) + ".bin");

  // Build.
  std::string ccCommand = options.cc;
  if (ccCommand.empty()) ccCommand = std::getenv("CC") && *std::getenv("CC") ? std::getenv("CC") : "cc";
  llvm::BumpPtrAllocator alloc;
  llvm::StringSaver saver(alloc);
  llvm::SmallVector<const char *> ccTokens;
  llvm::cl::TokenizeGNUCommandLine(ccCommand, saver, ccTokens);
  if (ccTokens.empty()) return fail("no C compiler (CC is blank)");
  std::vector<std::string> ccArgs(ccTokens.begin(), ccTokens.end());
  std::vector<std::string> flags = {"-std=c99", options.optLevel, "-Wall", "-Werror"};
  flags.insert(flags.end(), options.extraFlags.begin(), options.extraFlags.end());
  ccArgs.insert(ccArgs.end(), flags.begin(), flags.end());
  ccArgs.push_back("-I" + modelDir);
  // rerun.sh builds from the sources in one command, cache or not.
  std::vector<std::string> oneCommand = ccArgs;
  oneCommand.insert(oneCommand.end(), sources.begin(), sources.end());
  oneCommand.insert(oneCommand.end(), {dir + "/harness.c", "-o", dir + "/harness", "-lm"});
  if (writeFile(dir + "/rerun.sh", "#!/bin/sh\n# Rebuild and rerun the harness (written by dnnopt).\nset -e\n" +
                                       commandLine(oneCommand) + "\n" + commandLine(runArgs) + "\n")
          .empty())
    fs::setPermissions(dir + "/rerun.sh", fs::all_read | fs::all_exe | fs::owner_write);

  if (options.progress) options.progress("building with " + ccCommand + " " + llvm::join(flags, " "));
  auto compile = [&](const std::vector<std::string> &args) -> std::string {
    if (std::string e = execute(args, dir + "/cc.log", dir + "/cc.log", options.buildTimeoutSeconds); !e.empty())
      return "the C compiler failed (" + ccCommand + ": " + e + "):\n" + readLog(dir + "/cc.log");
    return "";
  };
  for (const std::string &source : sources) {
    std::string file = path::filename(source).str();
    bool own = file == name + ".c" || llvm::StringRef(file).starts_with(name + "_");
    if (options.objectCacheDir.empty() || own) {
      ccArgs.push_back(source);
      continue;
    }
    // The key: compiler, flags (not the per-run -I folder), source and its headers.
    uint64_t key = llvm::xxh3_64bits(ccCommand + "\n" + commandLine(flags) + "\n" + withIncludedHeaders(files, file));
    std::string object = options.objectCacheDir + "/" + path::stem(file).str() + "-" + llvm::utohexstr(key) + ".o";
    if (!fs::exists(object)) {
      // Compile to a name of our own, then rename: concurrent runs never see half an object.
      std::string partial = object + "." + std::to_string(::getpid()) + ".tmp";
      std::vector<std::string> args(ccTokens.begin(), ccTokens.end());
      args.insert(args.end(), flags.begin(), flags.end());
      args.insert(args.end(), {"-I" + modelDir, "-c", source, "-o", partial});
      if (std::string e = compile(args); !e.empty()) return fail(e);
      if (std::error_code ec = fs::rename(partial, object)) return fail(object + ": " + ec.message());
    }
    ccArgs.push_back(object);
  }
  ccArgs.insert(ccArgs.end(), {dir + "/harness.c", "-o", dir + "/harness", "-lm"});
  if (std::string e = compile(ccArgs); !e.empty()) return fail(e);

  // Run. The harness first prints the header's view of every tensor.
  if (options.progress) options.progress("running");
  std::vector<std::string> env = runEnvironment();
  std::vector<llvm::StringRef> envRefs(env.begin(), env.end());
  std::string stdoutLog = dir + "/run.out", stderrLog = dir + "/run.log";
  if (std::string e = execute(runArgs, stdoutLog, stderrLog, options.runTimeoutSeconds,
                              llvm::ArrayRef<llvm::StringRef>(envRefs));
      !e.empty()) {
    std::string log = readLog(stderrLog);
    return fail("the generated code failed at run time (" + e + ")" + (log.empty() ? "" : ":\n" + log));
  }
  std::string expected;
  for (size_t i = 0; i < inputInfos.size(); ++i) expected += describeLine("input", i, inputInfos[i]) + "\n";
  for (size_t j = 0; j < outputInfos.size(); ++j) expected += describeLine("output", j, outputInfos[j]) + "\n";
  std::string printed = readLog(stdoutLog, 1 << 20) + "\n";
  if (printed != expected)
    return fail(name + ".h disagrees with the compiler's description of the tensors:\n  header:   " +
                llvm::join(llvm::split(llvm::StringRef(printed).rtrim(), '\n'), "\n            ") +
                "\n  expected: " + llvm::join(llvm::split(llvm::StringRef(expected).rtrim(), '\n'), "\n            "));

  // Outputs back.
  std::vector<Tensor> outputs;
  for (size_t j = 0; j < outputInfos.size(); ++j) {
    const std::string &file = runArgs[1 + inputs.size() + j];
    auto buf = llvm::MemoryBuffer::getFile(file, /*IsText=*/false, /*RequiresNullTerminator=*/false);
    if (!buf) return fail(file + ": " + buf.getError().message());
    if ((int64_t)(*buf)->getBufferSize() != outputInfos[j].bytes)
      return fail(file + ": " + std::to_string((*buf)->getBufferSize()) + " bytes, output '" + outputInfos[j].name +
                  "' has " + std::to_string(outputInfos[j].bytes));
    outputs.push_back(engine::fromRawBytes(outputTypes[j], outputInfos[j].shape,
                                           (const unsigned char *)(*buf)->getBufferStart()));
  }
  return outputs;
}

} // namespace dnnopt
