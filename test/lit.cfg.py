# -*- Python -*-
# lit configuration of the dnnopt tests. Normally reached through the
# lit.site.cfg.py that CMake configures into <build>/test:
#   ninja -C <build> check-dnnopt          # builds the tools, runs everything
#   lit -v <build>/test                    # everything
#   lit -v test/passes/fold-pad.mlir       # one test, from the source tree; the
#                                          # build dir is $DNNOPT_BUILD_DIR or ./build
import os
import re

import lit.formats


def configure():
    config.name = "dnnopt"
    config.test_format = lit.formats.ShTest(execute_external=False)
    config.suffixes = [".mlir", ".test"]
    config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "Inputs", "tools"]

    config.test_source_root = os.path.dirname(os.path.abspath(__file__))
    config.test_exec_root = os.path.join(config.dnnopt_obj_root, "test")

    # FileCheck, not, split-file from LLVM; the dnnopt tools from the build.
    path = [config.dnnopt_tools_dir, config.llvm_tools_dir,
            config.environment.get("PATH", "")]
    config.environment["PATH"] = os.pathsep.join(p for p in path if p)

    # Tool names in RUN lines resolve to the build's binaries (whole words only, so
    # `dnnopt` does not match inside `dnnopt-opt` or inside a path).
    def word(name):
        return r"(?<![\w/.-])" + re.escape(name) + r"(?![\w/.-])"

    for tool in ["dnnopt-opt", "dnnopt-translate", "dnnopt", "dnnopt-pass-equiv"]:
        config.substitutions.append(
            (word(tool), os.path.join(config.dnnopt_tools_dir, tool)))
    for tool in ["FileCheck", "not", "split-file"]:
        config.substitutions.append(
            (word(tool), os.path.join(config.llvm_tools_dir, tool)))
    config.substitutions.append(("%dnnopt_src_root", config.dnnopt_src_root))


if hasattr(config, "dnnopt_obj_root"):
    configure()
else:
    # Invoked on the source tree: load the build's site config, which loads this
    # file again with the paths set.
    src = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    build = os.environ.get("DNNOPT_BUILD_DIR", os.path.join(src, "build"))
    site = os.path.join(build, "test", "lit.site.cfg.py")
    if not os.path.exists(site):
        lit_config.fatal("no %s: configure the build first, or set DNNOPT_BUILD_DIR" % site)
    lit_config.load_config(config, site)
