# deploy/cross.cmake: a CMake toolchain file for building ddbd for another Debian architecture
# with Debian's cross compiler (crossbuild-essential-ARCH) and that architecture's -dev packages
# installed beside the build machine's (multiarch: /usr/lib/TRIPLET, /usr/include/TRIPLET), as
# `deploy/ddbd.sh deps-build ARCH` installs them. deploy/Dockerfile's build stage with ARCH=arm64:
#
#   cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=deploy/cross.cmake -DDDB_CROSS=aarch64-linux-gnu
#
# (Outside a container this needs the build machine without the native librocksdb-dev and
# libh2o-evloop-dev, which Debian does not let beside their arm64 packages.)
if(NOT DDB_CROSS)
  message(FATAL_ERROR "deploy/cross.cmake: give the target's multiarch triplet, -DDDB_CROSS=aarch64-linux-gnu")
endif()
# (try_compile's projects read this file again: they get the triplet too)
set(CMAKE_TRY_COMPILE_PLATFORM_VARIABLES DDB_CROSS)
set(CMAKE_SYSTEM_NAME Linux)
string(REGEX REPLACE "-.*" "" CMAKE_SYSTEM_PROCESSOR "${DDB_CROSS}")
set(CMAKE_C_COMPILER ${DDB_CROSS}-gcc)
set(CMAKE_CXX_COMPILER ${DDB_CROSS}-g++)
# find_library (RocksDB's and the wire libraries' static archives) looks in /usr/lib/TRIPLET
set(CMAKE_LIBRARY_ARCHITECTURE ${DDB_CROSS})
# pkg-config answers with the target's .pc files only, never the build machine's
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/${DDB_CROSS}/pkgconfig:/usr/share/pkgconfig)
