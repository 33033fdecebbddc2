# SPDX-License-Identifier: GPL-2.0
#
# Compile freestanding C++ through kbuild.
#
# A .cpp object is built the way scripts/Makefile.build builds a .c object:
# the same compiler flags for this module minus what is C-only or unsafe for
# C++, the same if_changed_rule machinery (so a second make rebuilds nothing
# and a header change rebuilds its users through fixdep), and the same
# objtool pass (so the object carries ORC, retpoline and return-thunk
# annotations exactly like its C neighbours).  See Documentation/build.rst.

# The C++ driver that matches $(CC): gcc -> g++, gcc-12 -> g++-12, ...
KCXX ?= $(subst gcc,g++,$(CC))

# C-only warnings and dialect: g++ rejects or warns about each of these.
cxx_drop_flags := -std=gnu11 -std=gnu89 \
	-Wstrict-prototypes -Wold-style-definition -Wmissing-prototypes \
	-Wdeclaration-after-statement -Wno-pointer-sign -Wnested-externs \
	-Wbad-function-cast -Wold-style-declaration -Wmissing-parameter-type \
	-Wjump-misses-init -Wno-declaration-after-statement \
	-Werror=implicit-int -Werror=implicit-function-declaration \
	-Werror=incompatible-pointer-types -Werror=strict-prototypes \
	-Werror=designated-init -Wdesignated-init -Wno-main \
	-Wunused-const-variable=1 -Wunused-const-variable=2

# Function tracing is kept out of C++: every inline template instance lives
# in a COMDAT section, and __mcount_loc entries pointing into COMDATs that
# the final link discards break it.  -DCC_USING_* only describe those flags.
cxx_drop_flags += $(CC_FLAGS_FTRACE) -DCC_USING_FENTRY -DCC_USING_NOP_MCOUNT \
	-DCC_USING_MCOUNT -DCC_USING_RECORD_MCOUNT

cxx_runtime_flags := -std=gnu++20 -ffreestanding -fno-exceptions -fno-rtti \
	-fno-threadsafe-statics -fno-use-cxa-atexit -fno-asynchronous-unwind-tables \
	-nostdinc -isystem $(shell $(KCXX) -print-file-name=include)

# No hot/cold splitting: objtool ties a "NAME.cold" part to its parent by
# name and allows parents of at most 128 characters, which a template
# instance's mangled name exceeds (a KASAN build split the paravirt
# unlock slow path that way, and objtool refused the object).
cxx_runtime_flags += -fno-reorder-blocks-and-partition

# No kernel header reaches C++: LINUXINCLUDE (with its -include of
# compiler_types.h) is left out on purpose, and so is NOSTDINC_FLAGS.
cxx_flags = -Wp,-MMD,$(depfile) $(cxx_runtime_flags) \
	$(filter-out $(cxx_drop_flags),$(_c_flags) $(modkern_cflags)) \
	$(basename_flags) $(modname_flags)

quiet_cmd_cxx_o_cpp = C++ $(quiet_modtag) $@
      cmd_cxx_o_cpp = $(KCXX) $(cxx_flags) -c -o $@ $< $(cmd_objtool)

# The sanitizers kbuild compiles this object for, decided exactly as
# scripts/Makefile.lib decides it for a C object (CONFIG_* and the
# *_SANITIZE variables).  Their flags (CFLAGS_KCSAN, CFLAGS_KASAN,
# CFLAGS_UBSAN) arrive in _c_flags and none is dropped above; the check
# below fails the build if a C++ object lacks the sanitizer's calls.
cxx_sanitizers = \
	$(if $(CONFIG_KCSAN),$(if $(patsubst n%,,$(KCSAN_SANITIZE_$(basetarget).o)$(KCSAN_SANITIZE)y),tsan)) \
	$(if $(CONFIG_KASAN_GENERIC),$(if $(patsubst n%,,$(KASAN_SANITIZE_$(basetarget).o)$(KASAN_SANITIZE)y),asan))

# A freestanding object must not need the C++ runtime: no static
# constructors or destructors (a sanitizer's own module constructor is
# not one), no operator new/delete, no __cxa_* helper; it must not emit
# code in COMDAT groups; and it must carry the calls of each sanitizer
# above (see check-cxx-object).
quiet_cmd_cxx_runtime_check = CXXCHK  $@
      cmd_cxx_runtime_check = $(CONFIG_SHELL) $(src)/scripts/check-cxx-object \
	"$(OBJDUMP)" "$(NM)" "$(READELF)" $@ $(strip $(cxx_sanitizers))

define rule_cxx_o_cpp
	$(call cmd_and_fixdep,cxx_o_cpp)
	$(call cmd,cxx_runtime_check)
	$(call cmd,gen_objtooldep)
endef

$(obj)/%.o: $(src)/%.cpp FORCE
	$(call if_changed_rule,cxx_o_cpp)
